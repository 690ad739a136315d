import type { ErrorCode, ErrorReason } from '../../../shared/errors';
import type { DeviceFailure, FormField, PublishFailure } from '../lib/Problem';

/**
 * What each {@link Problem} says, in plain words and, where the organizer or attendee can act, what to
 * do. The server's and the browser's own (English) messages are never shown: these are.
 */
export interface ProblemMessages {
  /** By the server's code; a `reason` below says it more precisely where there is one. */
  service: Record<ErrorCode, string>;
  reason: Record<ErrorReason, string>;
  /** A clause about the microphone or camera, shown inside "No microphone (…)"; `insecure` stands alone. */
  device: Record<DeviceFailure, string>;
  publish: Record<PublishFailure, string>;
  retrying(cause: string): string;
  form: Record<FormField, string>;
  unknown: string;
}

export const en: ProblemMessages = {
  service: {
    BAD_REQUEST: 'The server could not accept this request. Check what you entered and try again.',
    UNAUTHORIZED: 'The organizer key was not accepted. Paste the key again.',
    FORBIDDEN: 'This key does not allow that: only the event’s organizer can do it.',
    NOT_FOUND: 'Not found: the event, or what was asked for, does not exist (any more).',
    INVALID_STATE: 'That is not possible at this point of the event (it may have changed meanwhile). Reload the page to see where it stands, then try again.',
    NOT_LIVE: 'The event is not live.',
    RATE_LIMITED: 'Too many requests at once. Wait a few seconds and try again.',
    TOO_LARGE: 'Too large for the server: choose a smaller file, or write less.',
    UNAVAILABLE: 'The server cannot be reached right now. Check your connection and try again.',
    INTERNAL: 'Something went wrong on the server. Try again in a moment.',
  },
  reason: {
    seatsFull: 'Every seat of the fast connection is taken.',
    uploadsBusy: 'The server is receiving as many uploads as it can at once. Upload again in a few minutes.',
    serverBusy: 'The server is very busy right now. Try again in a moment.',
  },
  device: {
    denied: 'the browser was not allowed to use it: allow this site to use the microphone and camera (the icon in the address bar), then reload the page',
    missing: 'none was found: plug one in, then reload the page',
    busy: 'it could not be started: close any other app or tab that is using it, then reload the page',
    unsuitable: 'it cannot work the way the studio needs: choose another one in the browser’s settings, then reload the page',
    insecure:
      'browsers give the camera and microphone only to secure pages (https://, or localhost), and this page was opened over plain http. ' +
      'Serve Jalsa over HTTPS (nginx with TLS, see the README’s deployment notes) to go live from this browser, ' +
      'or go live with a prepared recording below, which works over http too.',
    other: 'the browser did not give it: reload the page and try again',
  },
  publish: {
    noMicrophone: 'Nothing to publish: the microphone is unavailable.',
    trackEnded: 'The camera or microphone stopped.',
    mediaConnection: 'The media connection to the server was lost.',
  },
  retrying: (cause) => `Could not publish: ${cause} Retrying…`,
  form: {
    title: 'Give the event a title (at most 200 characters).',
    scheduledAt: 'Check the start time: choose a date and a time.',
    mirrors:
      'Check the mirrors: each needs a different name of lowercase letters, digits and dashes (not “origin”) and an http(s) address without a user, query or fragment.',
    priority: 'Check the order: name “origin” and the mirrors listed above, each once.',
    other: 'Please check the form.',
  },
  unknown: 'Something went wrong. Try again.',
};

export const ur: ProblemMessages = {
  service: {
    BAD_REQUEST: 'سرور یہ درخواست قبول نہیں کر سکا۔ جو درج کیا ہے اسے دیکھ لیں اور دوبارہ کوشش کریں۔',
    UNAUTHORIZED: 'منتظم کلید قبول نہیں ہوئی۔ کلید دوبارہ چسپاں کریں۔',
    FORBIDDEN: 'اس کلید سے یہ نہیں ہو سکتا: یہ صرف تقریب کا منتظم کر سکتا ہے۔',
    NOT_FOUND: 'نہیں ملا: تقریب، یا جو مانگا گیا، موجود نہیں (یا اب نہیں رہا)۔',
    INVALID_STATE: 'تقریب کے اس مرحلے پر یہ ممکن نہیں (شاید اس دوران تقریب بدل گئی ہے)۔ صورتِ حال دیکھنے کے لیے صفحہ دوبارہ لوڈ کریں، پھر کوشش کریں۔',
    NOT_LIVE: 'تقریب براہِ راست نہیں ہے۔',
    RATE_LIMITED: 'ایک ساتھ بہت زیادہ درخواستیں۔ چند سیکنڈ رکیں اور دوبارہ کوشش کریں۔',
    TOO_LARGE: 'سرور کے لیے بہت بڑا ہے: چھوٹی فائل چنیں، یا کم لکھیں۔',
    UNAVAILABLE: 'اس وقت سرور تک رسائی نہیں ہو رہی۔ اپنا کنکشن دیکھیں اور دوبارہ کوشش کریں۔',
    INTERNAL: 'سرور پر کوئی خرابی ہو گئی۔ تھوڑی دیر بعد دوبارہ کوشش کریں۔',
  },
  reason: {
    seatsFull: 'تیز رابطے کی تمام نشستیں بھری ہوئی ہیں۔',
    uploadsBusy: 'سرور ایک وقت میں جتنی اپ لوڈز لے سکتا ہے، لے رہا ہے۔ چند منٹ بعد دوبارہ اپ لوڈ کریں۔',
    serverBusy: 'سرور اس وقت بہت مصروف ہے۔ تھوڑی دیر بعد دوبارہ کوشش کریں۔',
  },
  device: {
    denied: 'براؤزر کو اس کی اجازت نہیں ملی: اس سائٹ کو مائیکروفون اور کیمرہ استعمال کرنے کی اجازت دیں (ایڈریس بار میں نشان)، پھر صفحہ دوبارہ لوڈ کریں',
    missing: 'کوئی نہیں ملا: ایک لگائیں، پھر صفحہ دوبارہ لوڈ کریں',
    busy: 'یہ شروع نہیں ہو سکا: اسے استعمال کرنے والی کوئی دوسری ایپ یا ٹیب بند کریں، پھر صفحہ دوبارہ لوڈ کریں',
    unsuitable: 'یہ اسٹوڈیو کی ضرورت کے مطابق کام نہیں کر سکتا: براؤزر کی ترتیبات میں کوئی دوسرا چنیں، پھر صفحہ دوبارہ لوڈ کریں',
    insecure:
      'براؤزر کیمرہ اور مائیکروفون صرف محفوظ صفحات (https://، یا localhost) کو دیتے ہیں، اور یہ صفحہ سادہ http پر کھولا گیا ہے۔ ' +
      'اس براؤزر سے براہِ راست جانے کے لیے جلسہ کو HTTPS پر چلائیں (TLS کے ساتھ nginx، README میں تنصیب کی ہدایات دیکھیں)، ' +
      'یا نیچے پہلے سے تیار ریکارڈنگ کے ساتھ براہِ راست جائیں، جو http پر بھی کام کرتی ہے۔',
    other: 'براؤزر نے یہ نہیں دیا: صفحہ دوبارہ لوڈ کریں اور پھر کوشش کریں',
  },
  publish: {
    noMicrophone: 'نشر کرنے کو کچھ نہیں: مائیکروفون دستیاب نہیں۔',
    trackEnded: 'کیمرہ یا مائیکروفون بند ہو گیا۔',
    mediaConnection: 'سرور سے میڈیا کا رابطہ ٹوٹ گیا۔',
  },
  retrying: (cause) => `نشر نہیں ہو سکا: ${cause} دوبارہ کوشش ہو رہی ہے…`,
  form: {
    title: 'تقریب کا عنوان لکھیں (زیادہ سے زیادہ 200 حروف)۔',
    scheduledAt: 'شروع ہونے کا وقت دیکھ لیں: تاریخ اور وقت چنیں۔',
    mirrors:
      'مرر دیکھ لیں: ہر ایک کا الگ نام ہو جو چھوٹے انگریزی حروف، ہندسوں اور ڈیش پر مشتمل ہو (“origin” نہیں)، اور اس کا پتہ http(s) ہو جس میں صارف، سوال (query) یا فریگمنٹ نہ ہو۔',
    priority: 'ترتیب دیکھ لیں: “origin” اور اوپر درج مرر کے نام لکھیں، ہر ایک صرف ایک بار۔',
    other: 'براہِ کرم فارم دیکھ لیں۔',
  },
  unknown: 'کچھ غلط ہو گیا۔ دوبارہ کوشش کریں۔',
};

import { useLanguage } from '../i18n/language';

/** Every user-facing string of the chat. Functions take what varies; nothing here is HTML. */
export interface ChatMessages {
  title: string;
  watching(count: number): string;
  connecting: string;
  offline: string;
  removed: string;
  failed: string;
  pinned: string;
  unpin: string;
  organizer: string;
  you: string;
  sending: string;
  notSent: string;
  dismiss: string;
  empty: string;
  nameLabel: string;
  namePlaceholder: string;
  nameSave: string;
  changeName: string;
  messageLabel: string;
  messagePlaceholder: string;
  send: string;
  charactersLeft(count: number): string;
  slowMode(seconds: number): string;
  waitSeconds(seconds: number): string;
  mutedUntil(time: string): string;
  queued(count: number): string;
  moderation: string;
  delete: string;
  mute: string;
  unmute: string;
  ban: string;
  confirmBan(name: string): string;
  bannedList: string;
  unnamed: string;
  unban: string;
  pinLabel: string;
  pinAction: string;
  slowModeLabel: string;
  slowModeOff: string;
  seconds(count: number): string;
  replayEmpty: string;
  lowData: string;
  showEveryMessage: string;
  useLowData: string;
}

export const en: ChatMessages = {
  title: 'Chat',
  watching: (count) => `${count} watching`,
  connecting: 'Connecting to the chat…',
  offline: 'Offline. Messages you write are sent when the connection is back.',
  removed: 'The organizer removed you from this chat.',
  failed: 'The chat is not available.',
  pinned: 'Pinned',
  unpin: 'Unpin',
  organizer: 'organizer',
  you: 'you',
  sending: 'sending…',
  notSent: 'not sent',
  dismiss: 'Dismiss',
  empty: 'No messages yet.',
  nameLabel: 'Your name in the chat',
  namePlaceholder: 'Name',
  nameSave: 'Join the chat',
  changeName: 'Change name',
  messageLabel: 'Message',
  messagePlaceholder: 'Say something…',
  send: 'Send',
  charactersLeft: (count) => `${count} characters left`,
  slowMode: (seconds) => `Slow mode: one message every ${seconds} s.`,
  waitSeconds: (seconds) => `Wait ${seconds} s`,
  mutedUntil: (time) => `The organizer muted you until ${time}.`,
  queued: (count) => `${count} waiting to be sent`,
  moderation: 'Moderation',
  delete: 'Delete',
  mute: 'Mute 10 min',
  unmute: 'Unmute',
  ban: 'Ban',
  confirmBan: (name) => `Remove ${name} from this chat?`,
  bannedList: 'Banned',
  unnamed: 'an attendee',
  unban: 'Let back in',
  pinLabel: 'Announcement',
  pinAction: 'Pin',
  slowModeLabel: 'Slow mode',
  slowModeOff: 'Off',
  seconds: (count) => `${count} s`,
  replayEmpty: 'No chat at this point of the recording.',
  lowData: 'Low-data chat: the organizer’s messages and a few others, so that the speech keeps playing on this connection.',
  showEveryMessage: 'Show every message',
  useLowData: 'Switch to low-data chat',
};

export const ur: ChatMessages = {
  title: 'چیٹ',
  watching: (count) => `${count} دیکھ رہے ہیں`,
  connecting: 'چیٹ سے رابطہ ہو رہا ہے…',
  offline: 'رابطہ منقطع ہے۔ آپ کے پیغامات رابطہ بحال ہونے پر بھیج دیے جائیں گے۔',
  removed: 'منتظم نے آپ کو اس چیٹ سے نکال دیا ہے۔',
  failed: 'چیٹ دستیاب نہیں ہے۔',
  pinned: 'اہم اعلان',
  unpin: 'ہٹائیں',
  organizer: 'منتظم',
  you: 'آپ',
  sending: 'بھیجا جا رہا ہے…',
  notSent: 'نہیں بھیجا گیا',
  dismiss: 'ہٹائیں',
  empty: 'ابھی کوئی پیغام نہیں۔',
  nameLabel: 'چیٹ میں آپ کا نام',
  namePlaceholder: 'نام',
  nameSave: 'چیٹ میں شامل ہوں',
  changeName: 'نام بدلیں',
  messageLabel: 'پیغام',
  messagePlaceholder: 'کچھ کہیں…',
  send: 'بھیجیں',
  charactersLeft: (count) => `${count} حروف باقی`,
  slowMode: (seconds) => `سست رفتار: ہر ${seconds} سیکنڈ میں ایک پیغام۔`,
  waitSeconds: (seconds) => `${seconds} سیکنڈ انتظار کریں`,
  mutedUntil: (time) => `منتظم نے آپ کو ${time} تک خاموش کر دیا ہے۔`,
  queued: (count) => `${count} پیغامات بھیجے جانے کے منتظر`,
  moderation: 'نگرانی',
  delete: 'حذف کریں',
  mute: '10 منٹ خاموش',
  unmute: 'خاموشی ختم',
  ban: 'نکال دیں',
  confirmBan: (name) => `${name} کو اس چیٹ سے نکال دیں؟`,
  bannedList: 'نکالے گئے',
  unnamed: 'ایک شریک',
  unban: 'واپس آنے دیں',
  pinLabel: 'اعلان',
  pinAction: 'لگائیں',
  slowModeLabel: 'سست رفتار',
  slowModeOff: 'بند',
  seconds: (count) => `${count} سیکنڈ`,
  replayEmpty: 'ریکارڈنگ کے اس حصے میں کوئی چیٹ نہیں۔',
  lowData: 'کم ڈیٹا والی چیٹ: منتظم کے پیغامات اور چند دوسرے، تاکہ اس کنکشن پر تقریر چلتی رہے۔',
  showEveryMessage: 'تمام پیغامات دکھائیں',
  useLowData: 'کم ڈیٹا والی چیٹ پر جائیں',
};

const CHAT_MESSAGES = { en, ur } as const;

export function useChatMessages(): ChatMessages {
  return CHAT_MESSAGES[useLanguage()];
}

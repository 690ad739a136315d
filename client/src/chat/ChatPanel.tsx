import { useEffect, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent, type SyntheticEvent } from 'react';
import { MAX_MESSAGE_LENGTH, MAX_NAME_LENGTH, MAX_PIN_LENGTH, type ChatFeed, type FeedMessage } from '../../../shared/chat';
import { useMessages } from '../i18n/language';
import { ProblemAlert } from '../i18n/ProblemAlert';
import { problemText } from '../i18n/problemText';
import { problemOf, type Problem } from '../lib/Problem';
import { useClosable } from '../lib/useClosable';
import { useStateStore } from '../lib/StateStore';
import { ChatClient, type ChatView } from './ChatClient';
import { useChatMessages, type ChatMessages } from './chatMessages';
import './chat.css';

export interface ChatPanelProps {
  slug: string;
  /** In the studio: joins as the event's organizer, marked as such, with moderation controls. */
  organizerKey?: string | undefined;
  /** On the watch page: the feed the link calls for (see chatFeed.ts); full when absent. */
  suggestedFeed?: ChatFeed;
}

const MUTE_SECONDS = 10 * 60;
const SLOW_MODE_CHOICES = [0, 5, 15, 30, 60, 120];

/**
 * The live chat of an event, for the watch page and the studio. Key it by slug (and key): it keeps one
 * connection for the props it was mounted with.
 */
export function ChatPanel({ slug, organizerKey, suggestedFeed = 'full' }: ChatPanelProps) {
  const client = useClosable(() => new ChatClient({ slug, organizerKey }));
  useEffect(() => client?.suggestFeed(suggestedFeed), [client, suggestedFeed]);
  return client && <ChatBox client={client} />;
}

function ChatBox({ client }: { client: ChatClient }) {
  const t = useChatMessages();
  const view = useStateStore(client.store);
  const [actionProblem, setActionProblem] = useState<Problem | null>(null);
  const organizer = view.role === 'organizer';
  const act = (action: () => Promise<void>) => {
    setActionProblem(null);
    action().catch((error: unknown) => setActionProblem(problemOf(error)));
  };

  return (
    <section className="chat" aria-label={t.title}>
      <header className="chat-header">
        <h2>{t.title}</h2>
        {view.connection === 'online' && <span className="muted">{t.watching(view.attendees)}</span>}
      </header>
      <ConnectionNotice view={view} t={t} />
      {view.pinned !== null && (
        <p className="chat-pinned" role="status">
          <strong>{t.pinned}: </strong>
          <span className="chat-text">{view.pinned}</span>
          {organizer && (
            <button type="button" className="link-button" onClick={() => act(() => client.pin(null))}>
              {t.unpin}
            </button>
          )}
        </p>
      )}
      <FeedNotice client={client} view={view} t={t} />
      <MessageList view={view} t={t} organizer={organizer} onModerate={act} client={client} />
      <ProblemAlert problem={actionProblem} />
      {view.connection !== 'removed' && view.connection !== 'failed' && <Composer client={client} view={view} t={t} />}
      {organizer && <OrganizerTools client={client} view={view} t={t} onModerate={act} />}
    </section>
  );
}

function ConnectionNotice({ view, t }: { view: ChatView; t: ChatMessages }) {
  const messages = useMessages();
  const text = { connecting: t.connecting, offline: t.offline, removed: t.removed, failed: t.failed, online: null }[
    view.connection
  ];
  if (text === null) return null;
  return (
    <p className="notice" role="status">
      {text}
      {view.connection === 'failed' && view.problem !== null && ` ${problemText(messages, view.problem)}`}
    </p>
  );
}

/** Low-data chat says so, with every message one tap away; a chosen full feed on a weak link, the way back. */
function FeedNotice({ client, view, t }: { client: ChatClient; view: ChatView; t: ChatMessages }) {
  if (view.feed === 'low') {
    return (
      <p className="notice chat-feed" role="status" data-testid="chat-feed" data-feed="low" data-in-effect={view.feedInEffect ?? ''}>
        {t.lowData}{' '}
        <button type="button" className="link-button" onClick={() => client.chooseFeed('full')}>
          {t.showEveryMessage}
        </button>
      </p>
    );
  }
  if (!view.feedChosen || view.suggestedFeed === 'full') return null;
  return (
    <p className="chat-feed" data-testid="chat-feed" data-feed="full" data-in-effect={view.feedInEffect ?? ''}>
      <button type="button" className="link-button" onClick={() => client.chooseFeed('low')}>
        {t.useLowData}
      </button>
    </p>
  );
}

function MessageList({
  view,
  t,
  organizer,
  onModerate,
  client,
}: {
  view: ChatView;
  t: ChatMessages;
  organizer: boolean;
  onModerate: (action: () => Promise<void>) => void;
  client: ChatClient;
}) {
  const messages = useMessages();
  const listRef = useRef<HTMLOListElement>(null);
  const pinnedToBottom = useRef(true);
  // Follow new messages only while the reader is at the bottom; someone scrolling back is left alone.
  useLayoutEffect(() => {
    const list = listRef.current;
    if (list && pinnedToBottom.current) list.scrollTop = list.scrollHeight;
  }, [view.messages, view.outgoing]);

  const moderate = (message: FeedMessage) => (
    <span className="chat-moderation">
      <button type="button" className="link-button" onClick={() => onModerate(() => client.deleteMessage(message.id))}>
        {t.delete}
      </button>
      {message.role === 'attendee' && (
        <>
          <button type="button" className="link-button" onClick={() => onModerate(() => client.mute(message.authorId, MUTE_SECONDS))}>
            {t.mute}
          </button>
          <button type="button" className="link-button" onClick={() => onModerate(() => client.mute(message.authorId, 0))}>
            {t.unmute}
          </button>
          <button
            type="button"
            className="link-button"
            onClick={() => window.confirm(t.confirmBan(message.name)) && onModerate(() => client.ban(message.authorId, true))}
          >
            {t.ban}
          </button>
        </>
      )}
    </span>
  );

  return (
    <ol
      className="chat-messages"
      ref={listRef}
      // A log is announced politely and without rereading it whole, which a busy chat needs.
      role="log"
      onScroll={(event) => {
        const list = event.currentTarget;
        pinnedToBottom.current = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
      }}
    >
      {view.messages.length === 0 && view.outgoing.length === 0 && <li className="muted">{t.empty}</li>}
      {view.messages.map((message) => (
        <li key={message.id} className={message.role === 'organizer' ? 'chat-organizer' : undefined}>
          <span className="chat-name">{message.name}</span>
          {message.role === 'organizer' && <span className="chat-badge">{t.organizer}</span>}
          {message.authorId === view.authorId && <span className="muted"> ({t.you})</span>}{' '}
          <span className="chat-text">{message.text}</span>
          {organizer && moderate(message)}
        </li>
      ))}
      {view.outgoing.map((message) => (
        <li key={message.clientId} className="chat-outgoing">
          <span className="chat-name">{message.name}</span> <span className="chat-text">{message.text}</span>{' '}
          {message.problem === null ? (
            <span className="muted">{t.sending}</span>
          ) : (
            <span className="problem">
              {t.notSent}: {problemText(messages, message.problem)}{' '}
              <button type="button" className="link-button" onClick={() => client.dismiss(message.clientId)}>
                {t.dismiss}
              </button>
            </span>
          )}
        </li>
      ))}
    </ol>
  );
}

/** Seconds until `until` (a time in ms), ticking while it is in the future; 0 once it has passed. */
function useSecondsUntil(until: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null || until <= Date.now()) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [until]);
  return until === null ? 0 : Math.max(0, Math.ceil((until - now) / 1000));
}

function Composer({ client, view, t }: { client: ChatClient; view: ChatView; t: ChatMessages }) {
  const [text, setText] = useState('');
  const [naming, setNaming] = useState(view.name === null);
  const [name, setName] = useState(view.name ?? '');
  const [sentAt, setSentAt] = useState<number | null>(null);
  const slowWait = useSecondsUntil(
    view.role === 'attendee' && view.slowModeSeconds > 0 && sentAt !== null ? sentAt + view.slowModeSeconds * 1000 : null,
  );
  const mutedFor = useSecondsUntil(view.mutedUntil);

  if (naming) {
    const saveName = (event: FormEvent) => {
      event.preventDefault();
      if (client.setName(name)) setNaming(false);
    };
    return (
      <form className="chat-composer" onSubmit={saveName}>
        <label>
          {t.nameLabel}
          <input value={name} maxLength={MAX_NAME_LENGTH} placeholder={t.namePlaceholder} onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit">{t.nameSave}</button>
      </form>
    );
  }

  if (mutedFor > 0) {
    return <p className="notice">{t.mutedUntil(new Date(view.mutedUntil!).toLocaleTimeString())}</p>;
  }

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    if (slowWait > 0 || !client.send(text)) return;
    setText('');
    setSentAt(Date.now());
  };
  // Enter sends, as in every chat; Shift+Enter starts a new line.
  const sendOnEnter = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey) submit(event);
  };
  const queued = view.connection === 'online' ? 0 : view.outgoing.filter((m) => m.problem === null).length;
  return (
    <form className="chat-composer" onSubmit={submit}>
      {view.slowModeSeconds > 0 && view.role === 'attendee' && <p className="muted">{t.slowMode(view.slowModeSeconds)}</p>}
      <label className="chat-message-field">
        <span className="chat-visually-hidden">{t.messageLabel}</span>
        <textarea
          value={text}
          rows={2}
          maxLength={MAX_MESSAGE_LENGTH}
          placeholder={t.messagePlaceholder}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={sendOnEnter}
        />
      </label>
      <div className="chat-composer-row">
        <span className="muted">
          {text.length > MAX_MESSAGE_LENGTH - 100 && t.charactersLeft(MAX_MESSAGE_LENGTH - text.length)}
          {queued > 0 && t.queued(queued)}
        </span>
        <button type="button" className="link-button" onClick={() => setNaming(true)}>
          {t.changeName}
        </button>
        <button type="submit" disabled={slowWait > 0}>
          {slowWait > 0 ? t.waitSeconds(slowWait) : t.send}
        </button>
      </div>
    </form>
  );
}

function OrganizerTools({
  client,
  view,
  t,
  onModerate,
}: {
  client: ChatClient;
  view: ChatView;
  t: ChatMessages;
  onModerate: (action: () => Promise<void>) => void;
}) {
  const [announcement, setAnnouncement] = useState('');
  const pin = (event: FormEvent) => {
    event.preventDefault();
    if (announcement.trim() === '') return;
    onModerate(async () => {
      await client.pin(announcement);
      setAnnouncement('');
    });
  };
  return (
    <fieldset className="chat-tools">
      <legend>{t.moderation}</legend>
      <form onSubmit={pin}>
        <label>
          {t.pinLabel}
          <input value={announcement} maxLength={MAX_PIN_LENGTH} onChange={(e) => setAnnouncement(e.target.value)} />
        </label>
        <button type="submit">{t.pinAction}</button>
      </form>
      <label>
        {t.slowModeLabel}{' '}
        <select
          value={view.slowModeSeconds}
          onChange={(e) => onModerate(() => client.setSlowMode(Number(e.target.value)))}
        >
          {[...new Set([...SLOW_MODE_CHOICES, view.slowModeSeconds])].sort((a, b) => a - b).map((seconds) => (
            <option key={seconds} value={seconds}>
              {seconds === 0 ? t.slowModeOff : t.seconds(seconds)}
            </option>
          ))}
        </select>
      </label>
      {view.banned.length > 0 && (
        <div className="chat-banned">
          <h3>{t.bannedList}</h3>
          <ul>
            {view.banned.map(({ authorId, name }) => (
              <li key={authorId}>
                <span className="chat-name">{name ?? t.unnamed}</span>{' '}
                <button type="button" className="link-button" onClick={() => onModerate(() => client.ban(authorId, false))}>
                  {t.unban}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </fieldset>
  );
}

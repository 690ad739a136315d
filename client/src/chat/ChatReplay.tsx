import { useEffect } from 'react';
import { useMessages } from '../i18n/language';
import { problemText } from '../i18n/problemText';
import { useClosable } from '../lib/useClosable';
import { useStateStore } from '../lib/StateStore';
import { useChatMessages } from './chatMessages';
import { ReplayChatFeed } from './ReplayChatFeed';
import './chat.css';

export interface ChatReplayProps {
  slug: string;
  /** The recording's playback position in seconds from the event's start (a video element's currentTime). */
  positionSeconds: number;
}

function clock(offsetMs: number): string {
  const seconds = Math.max(0, Math.floor(offsetMs / 1000));
  const hh = Math.floor(seconds / 3600);
  const mm = String(Math.floor(seconds / 60) % 60).padStart(2, '0');
  const ss = String(seconds % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** The chat of a recorded event, scrolling in step with its playback. Key it by slug. */
export function ChatReplay({ slug, positionSeconds }: ChatReplayProps) {
  const feed = useClosable(() => new ReplayChatFeed(slug));
  useEffect(() => {
    feed?.seek(positionSeconds * 1000);
  }, [feed, positionSeconds]);
  return feed && <ReplayList feed={feed} />;
}

function ReplayList({ feed }: { feed: ReplayChatFeed }) {
  const t = useChatMessages();
  const messages = useMessages();
  const { shown, problem } = useStateStore(feed.store);
  return (
    <section className="chat" aria-label={t.title}>
      <header className="chat-header">
        <h2>{t.title}</h2>
      </header>
      {problem !== null && <p className="problem">{problemText(messages, problem)}</p>}
      <ol className="chat-messages chat-replay">
        {shown.length === 0 && <li className="muted">{t.replayEmpty}</li>}
        {/* Newest first: the latest message stays in view without scrolling code. */}
        {[...shown].reverse().map((message) => (
          <li key={message.id} className={message.role === 'organizer' ? 'chat-organizer' : undefined}>
            <time className="muted">{clock(message.offsetMs)}</time> <span className="chat-name">{message.name}</span>
            {message.role === 'organizer' && <span className="chat-badge">{t.organizer}</span>}{' '}
            <span className="chat-text">{message.text}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

import { lazy, Suspense, useEffect, useState } from 'react';
import type { ChatFeed } from '../../../shared/chat';
import { ChatFeedDecision, linkWantsLowDataChat } from '../chat/chatFeed';
import { isOver } from '../../../shared/events';
import { Link } from '../app/Link';
import { useMessages } from '../i18n/language';
import type { Messages } from '../i18n/messages';
import { useClosable } from '../lib/useClosable';
import { useStateStore, type StateStore } from '../lib/StateStore';
import { WatchSession, type WatchState } from '../player/WatchSession';
import { PlaybackControls } from './PlaybackControls';
import { Stage } from './Stage';

function notice(state: WatchState, t: Messages): string | null {
  switch (state.connection) {
    case 'waiting for the event to start':
      return t.notStarted(state.event?.scheduledAt ?? null);
    case 'ended':
      return t.ended;
    case 'cancelled':
      return t.cancelled;
    case 'not found':
      return t.notFound;
    case 'reconnecting':
      return t.reconnecting;
    case 'failed':
      return state.unsupported ? t.unsupported : t.failed;
    case 'connecting':
    case 'connected':
      if (state.broadcastPaused) return t.broadcastPaused;
      if (state.trouble) return t.trouble;
      return state.stalled ? t.stalled : null;
  }
}

function placeholder(state: WatchState, t: Messages): string | null {
  if (state.mode === 'audio') return state.posterUrl === null && state.audioOnlyReason ? t.modeAudio[state.audioOnlyReason] : null;
  if (!state.started) return state.event?.status === 'live' ? t.waitingForVideo : t.noVideoYet;
  return null;
}

/** The chat feed the link calls for, following the player's state (and the time that passes, for hysteresis). */
function useSuggestedChatFeed(store: StateStore<WatchState>): ChatFeed {
  const [feed, setFeed] = useState<ChatFeed>('full');
  useEffect(() => {
    const decision = new ChatFeedDecision();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = () => {
      clearTimeout(timer);
      const now = Date.now();
      setFeed(decision.observe(now, linkWantsLowDataChat(store.get())));
      const recheckAt = decision.recheckAt;
      if (recheckAt !== null) timer = setTimeout(check, recheckAt - now);
    };
    check();
    const unsubscribe = store.subscribe(check);
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, [store]);
  return feed;
}

const ChatPanel = lazy(() => import('../chat/ChatPanel').then((module) => ({ default: module.ChatPanel })));

function WatchView({ session }: { session: WatchSession }) {
  const t = useMessages();
  const state = useStateStore(session.store);
  const chatFeed = useSuggestedChatFeed(session.store);
  const title = state.event?.title;

  useEffect(() => {
    if (title === undefined) return;
    document.title = `${title} · ${t.brand}`;
    return () => {
      document.title = t.brand;
    };
  }, [title, t]);

  const message = notice(state, t);
  // An HLS attendee hears the last words after the end: the player stays until it has played them.
  const playable = state.event?.status === 'live' || (state.path === 'hls' && !state.ended);
  return (
    <section className="watch">
      <h1 data-testid="event-title">{title ?? ''}</h1>
      <p className="connection">
        {t.connectionLabel}:{' '}
        <span data-testid="connection-state" data-state={state.connection}>
          {t.connection[state.connection]}
        </span>
        {state.path !== null && (
          <span className="muted" data-testid="delivery-path" data-path={state.path} data-reason={state.hlsReason ?? ''}>
            {' · '}
            {state.path === 'webrtc' ? t.pathWebRtc : t.pathHls(state.hlsReason)}
          </span>
        )}
      </p>
      {message !== null && (
        <p className="notice" data-testid="watch-notice" data-paused={state.broadcastPaused}>
          {message}
        </p>
      )}
      {state.event?.status === 'ended' && (
        <p>
          <Link to={`/replay/${state.event.slug}`}>{t.endedWatchRecording}</Link>
        </p>
      )}
      {playable && (
        <>
          <Stage
            state={state}
            onElements={(elements) => session.attachMedia(elements)}
            onListen={() => session.resumeSound()}
            placeholder={placeholder(state, t)}
            controls={false}
          />
          <PlaybackControls
            state={state}
            onDataSaver={(on) => session.setDataSaver(on)}
            onQuality={(quality) => session.setQuality(quality)}
          />
        </>
      )}
      {state.event && !isOver(state.event.status) && state.serverUnreachable && (
        // Chat needs the server's sockets; a page playing from a mirror says so rather than trying forever.
        <p className="muted" data-testid="chat-unavailable">
          {t.chatUnavailable}
        </p>
      )}
      {state.event && !isOver(state.event.status) && !state.serverUnreachable && (
        // Loaded after the page: the speech comes first on a 2G link, the chat right after.
        <Suspense fallback={null}>
          <ChatPanel key={state.event.slug} slug={state.event.slug} suggestedFeed={chatFeed} />
        </Suspense>
      )}
      <p className="footer-link">
        <Link to="/">{t.moreEvents}</Link>
      </p>
    </section>
  );
}

export function WatchPage({ slug }: { slug: string }) {
  const session = useClosable(() => new WatchSession(slug));
  return session === null ? null : <WatchView session={session} />;
}

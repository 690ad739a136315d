import { useEffect, useState } from 'react';
import type { Replay } from '../../../shared/recordings';
import { recordingUrls } from '../../../shared/recordingLayout';
import { listReplays } from '../app/api';
import { Link } from '../app/Link';
import { useMessages } from '../i18n/language';

export function ReplayListPage() {
  const t = useMessages();
  const [replays, setReplays] = useState<Replay[] | null>(null);
  const [failed, setFailed] = useState(false);
  /** Which page to load: the server answers a page at a time. */
  const [offset, setOffset] = useState(0);
  const [next, setNext] = useState<number | null>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let current = true;
    setFailed(false);
    listReplays(offset).then(
      (page) => {
        if (!current) return;
        setReplays((shown) => [...(offset === 0 ? [] : (shown ?? [])), ...page.replays]);
        setNext(page.next);
      },
      () => {
        if (current) setFailed(true);
      },
    );
    return () => {
      current = false;
    };
  }, [offset, generation]);

  return (
    <section>
      <h1>{t.replaysTitle}</h1>
      {failed && (
        <p className="problem" role="alert">
          {t.replaysProblem}{' '}
          <button type="button" onClick={() => setGeneration((value) => value + 1)}>
            {t.tryAgain}
          </button>
        </p>
      )}
      {replays === null && !failed && <p className="muted">{t.loading}</p>}
      {replays?.length === 0 && <p className="muted">{t.replaysEmpty}</p>}
      <ul className="replay-list">
        {replays?.map((replay) => (
          <li key={replay.slug} data-testid="replay-item">
            {/* Posters are a few KB each; lazy, so a long list costs only what is scrolled to. */}
            {replay.hasPoster ? (
              <img className="replay-poster" src={recordingUrls(replay.slug).poster} alt="" loading="lazy" width={128} height={72} />
            ) : (
              <span className="replay-poster" />
            )}
            <span>
              <Link to={`/replay/${replay.slug}`}>{replay.title}</Link>
              <br />
              <span className="muted">
                {replay.startedAt !== null && `${t.dateTime(replay.startedAt)} · `}
                {t.duration(replay.durationSeconds)}
              </span>
            </span>
          </li>
        ))}
      </ul>
      {next !== null && (
        <button type="button" onClick={() => setOffset(next)}>
          {t.replaysMore}
        </button>
      )}
    </section>
  );
}

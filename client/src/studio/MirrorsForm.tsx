import { useEffect, useState, type FormEvent } from 'react';
import { MirrorSettings } from '../../../shared/mirrors';
import { getMirrors, setMirrors } from '../app/api';
import { useMessages } from '../i18n/language';
import { ProblemAlert } from '../i18n/ProblemAlert';
import { formProblemOf } from '../lib/Problem';
import { useRequest } from './useRequest';

interface MirrorsFormProps {
  slug: string;
  organizerKey: string;
}

/**
 * The event's mirrors, one a line (`name address`), and the order players use the pathways in. What the
 * organizer types is checked with the server's own schema before it is sent; the server checks again.
 */
export function MirrorsForm({ slug, organizerKey }: MirrorsFormProps) {
  const t = useMessages().studio;
  const request = useRequest();
  const [lines, setLines] = useState('');
  const [order, setOrder] = useState('');
  const [saved, setSaved] = useState(false);

  const show = (settings: MirrorSettings) => {
    setLines(settings.mirrors.map((m) => `${m.id} ${m.baseUrl}`).join('\n'));
    setOrder(settings.priority.join(', '));
  };

  useEffect(() => {
    void request.run(async () => show(await getMirrors(organizerKey, slug)));
    // Loaded once per event and key (`request` is a new object at each render).
  }, [slug, organizerKey]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const mirrors = [];
    for (const line of lines.split('\n').map((l) => l.trim()).filter(Boolean)) {
      const [id, baseUrl, ...rest] = line.split(/\s+/);
      if (!id || !baseUrl || rest.length > 0) return request.refuse({ kind: 'mirrorLine', line });
      mirrors.push({ id, baseUrl });
    }
    const priority = order.split(',').map((name) => name.trim()).filter(Boolean);
    const settings = MirrorSettings.safeParse({ mirrors, priority });
    if (!settings.success) return request.refuse(formProblemOf(settings.error));
    void request.run(async () => {
      show(await setMirrors(organizerKey, slug, settings.data));
      setSaved(true);
    });
  };

  return (
    <form className="mirrors" onSubmit={submit}>
      <h2>{t.mirrorsHeading}</h2>
      <p>{t.mirrorsHelp}</p>
      <label>
        {t.mirrorsLabel}
        <textarea data-testid="mirrors-lines" dir="ltr" rows={3} value={lines} onChange={(e) => setLines(e.target.value)} />
      </label>
      <label>
        {t.mirrorsOrderLabel}
        <input data-testid="mirrors-order" dir="ltr" value={order} onChange={(e) => setOrder(e.target.value)} />
      </label>
      <button data-testid="mirrors-save" type="submit" disabled={request.busy}>
        {t.mirrorsSave}
      </button>
      {saved && (
        <p className="notice" role="status" data-testid="mirrors-saved">
          {t.mirrorsSaved}
        </p>
      )}
      <ProblemAlert problem={request.problem} />
    </form>
  );
}

import { useState } from 'react';
import { useMessages } from '../i18n/language';

/** Copies `text` to the clipboard; absent where the clipboard API is (only on secure origins). */
export function CopyButton({ text }: { text: string }) {
  const t = useMessages().studio;
  const [copied, setCopied] = useState(false);
  if (!window.isSecureContext) return null;
  const copy = () => {
    navigator.clipboard.writeText(text).then(
      () => setCopied(true),
      () => undefined,
    );
  };
  return (
    <button type="button" onClick={copy}>
      {copied ? t.copied : t.copy}
    </button>
  );
}

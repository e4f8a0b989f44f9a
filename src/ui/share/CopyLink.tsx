import { useEffect, useRef, useState } from 'react';
import { currentLink } from './url-sync.ts';

/**
 * "Copy link": the address that opens the lab as it is now, on the clipboard. Where the browser
 * refuses the clipboard (no permission, an insecure page), the link is shown selected instead,
 * for Ctrl+C.
 */
export function CopyLink() {
  const [copied, setCopied] = useState(false);
  const [manual, setManual] = useState<string | null>(null);
  const field = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 4000);
    return () => clearTimeout(t);
  }, [copied]);
  useEffect(() => field.current?.select(), [manual]);

  const copy = async () => {
    const link = currentLink();
    try {
      await navigator.clipboard.writeText(link);
      setManual(null);
      setCopied(true);
    } catch {
      setManual(link);
    }
  };

  return (
    <div className="share" role="group" aria-label="Share">
      <button type="button" onClick={() => void copy()} aria-describedby="copy-link-help">
        Copy link
      </button>
      <span id="copy-link-help" className="share-help">
        Opens the lab as you see it: tab, environment, parameters, sweep, step shown. Runs stay in this browser.
      </span>
      <span role="status" className="share-status">
        {copied ? 'Link copied.' : ''}
      </span>
      {manual !== null && (
        <input ref={field} className="share-manual" readOnly value={manual} aria-label="The link (copy it with Ctrl+C)" onFocus={(e) => e.currentTarget.select()} />
      )}
    </div>
  );
}

import { useState } from 'react';
import { Button } from '../../components/ui/Button';

type CopyState = 'idle' | 'copied' | 'failed';

/**
 * A document as JSON, collapsed until opened (it can be long), with a copy button. Copying
 * uses the async clipboard, which a browser refuses outside a secure context or without
 * permission: the page then says so, and the text stays selectable.
 */
export function RawDocument({ json, label }: { json: string; label: string }) {
  const [copy, setCopy] = useState<CopyState>('idle');
  const doCopy = async () => {
    try {
      await navigator.clipboard.writeText(json);
      setCopy('copied');
    } catch {
      setCopy('failed');
    }
  };
  return (
    <details className="group" data-testid="raw-document">
      <summary className="cursor-pointer text-sm text-indigo-700 underline dark:text-indigo-300">
        {label} ({json.split('\n').length} lines)
      </summary>
      <div className="mt-2 flex items-center gap-2">
        <Button size="sm" onClick={() => void doCopy()}>
          Copy JSON
        </Button>
        <span role="status" className="text-xs text-slate-500">
          {copy === 'copied' ? 'Copied.' : copy === 'failed' ? 'The browser refused the clipboard: select the text instead.' : ''}
        </span>
      </div>
      <pre className="mt-2 max-h-[32rem] overflow-auto rounded bg-slate-50 p-3 text-xs dark:bg-slate-950" data-testid="raw-json">
        {json}
      </pre>
    </details>
  );
}

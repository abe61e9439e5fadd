import type { ReactNode } from 'react';

export function Table({ caption, head, children, testId }: { caption: string; head: string[]; children: ReactNode; testId?: string }) {
  return (
    <div className="overflow-x-auto">
      <table data-testid={testId} className="min-w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-slate-200 text-xs uppercase text-slate-500 dark:border-slate-700 dark:text-slate-400">
          <tr>
            {head.map((h) => (
              <th key={h} scope="col" className="px-3 py-2 font-medium">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">{children}</tbody>
      </table>
    </div>
  );
}

export function Td({ children, mono, className = '' }: { children: ReactNode; mono?: boolean; className?: string }) {
  return <td className={`px-3 py-2 align-top ${mono ? 'font-mono text-xs' : ''} ${className}`}>{children}</td>;
}

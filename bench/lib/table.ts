/** Plain-text tables for the terminal (the JSON file is the record; this is for eyes). */
export type Cell = string | number | boolean | null | undefined;

export interface Table {
  title: string;
  headers: readonly string[];
  rows: readonly (readonly Cell[])[];
  /** Lines printed under the table (definitions, caveats). */
  notes?: readonly string[];
}

export function formatCell(value: Cell): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '-';
    return Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
  }
  return String(value);
}

export function renderTable(table: Table): string {
  const cells = table.rows.map((row) => table.headers.map((_, i) => formatCell(row[i])));
  const widths = table.headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  // First column (labels) left-aligned, figures right-aligned.
  const line = (values: readonly string[]) =>
    values.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const out = [`== ${table.title}`, line(table.headers), rule, ...cells.map(line)];
  for (const note of table.notes ?? []) out.push(`   ${note}`);
  return out.join('\n');
}

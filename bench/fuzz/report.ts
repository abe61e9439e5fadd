import type { Table } from '../lib/table.js';
import type { FuzzReport } from './run-fuzz.js';

export function fuzzTables(r: FuzzReport): Table[] {
  const tables: Table[] = [];
  for (const path of Object.keys(r.categories)) {
    const rows = Object.entries(r.categories[path]!)
      .sort((a, b) => b[1].violations - a[1].violations || a[0].localeCompare(b[0]))
      .map(([name, c]) => [name, c.cases, c.violations]);
    tables.push({
      title: `fuzz (${path}): cases by category`,
      headers: ['category', 'cases', 'with a violation'],
      rows,
      notes: [`outcomes: ${JSON.stringify(r.outcomes[path] ?? {})}`, `codes: ${JSON.stringify(r.codes[path] ?? {})}`],
    });
  }
  const byProblem = new Map<string, { count: number; example: string }>();
  for (const v of r.violations) {
    for (const problem of v.violations) {
      const key = `${v.path}: ${problem.replace(/\d+/g, 'N').slice(0, 120)}`;
      const entry = byProblem.get(key) ?? { count: 0, example: `#${v.n} ${v.categories.join(' + ')}: ${v.notes.join('; ')}`.slice(0, 160) };
      entry.count += 1;
      byProblem.set(key, entry);
    }
  }
  tables.push({
    title: `fuzz verdict: ${r.passed ? 'PASSED' : 'FAILED'} (${r.verdicts} cases, ${r.violations.length} with a violation, ${r.durationSec} s)`,
    headers: ['violation', 'cases', 'first example'],
    rows: [...byProblem.entries()].sort((a, b) => b[1].count - a[1].count).map(([k, e]) => [k, e.count, e.example]),
    notes: [
      `schema-refused documents in the engine's reads (one per read, listener snapshots included; each is rejected, never left): ${r.engineSkippedDocuments}`,
      `violations matching no known gap: ${r.newViolations.length}`,
      ...r.knownGaps.map((g) => `known engine gap ${g.id} (${g.cases} cases): ${g.summary} Fix: ${g.fix}`),
    ],
  });
  return tables;
}

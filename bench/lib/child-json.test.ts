import { describe, expect, it } from 'vitest';
import { parseLastJsonDocument } from './child-json.js';

describe('parseLastJsonDocument', () => {
  it('finds a pretty-printed document after other output', () => {
    const text = 'starting\n{"progress": 1}\n{\n  "jobs": 3,\n  "nested": {\n    "a": 1\n  }\n}\n';
    expect(parseLastJsonDocument(text)).toEqual({ jobs: 3, nested: { a: 1 } });
  });

  it('reads a document that starts the output', () => {
    expect(parseLastJsonDocument('{"a":1}')).toEqual({ a: 1 });
  });

  it('names the script when there is no JSON', () => {
    expect(() => parseLastJsonDocument('oops', 'x.ts')).toThrow(/x.ts printed no JSON/);
  });
});

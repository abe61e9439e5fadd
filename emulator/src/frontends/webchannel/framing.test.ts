import { describe, expect, it } from 'vitest';
import { ChunkReader, arraysChunk, arrayText, errorPayload, forwardAckChunk, frame, handshakeChunk, parseForwardBody, parseHeaderBlock } from './framing.js';

describe('WebChannel framing', () => {
  it('prefixes chunks with their length in UTF-16 code units, not bytes', () => {
    const json = JSON.stringify(['é', '𝄞', '✓']);
    const chunk = frame(json);
    expect(chunk).toBe(`${json.length}\n${json}`);
    expect(json.length).toBeLessThan(Buffer.byteLength(json));
    expect(new ChunkReader().push(chunk)).toEqual([json]);
  });

  it('writes the handshake as array 0 with the session id and backchannel timeout', () => {
    const [body] = new ChunkReader().push(handshakeChunk('SID1', 30000));
    expect(JSON.parse(body!)).toEqual([[0, ['c', 'SID1', '', 8, 14, 30000]]]);
  });

  it('batches arrays and length-prefixes forward acknowledgements', () => {
    const chunk = arraysChunk([arrayText(1, [{ a: 1 }]), arrayText(2, ['noop'])]);
    expect(JSON.parse(new ChunkReader().push(chunk)[0]!)).toEqual([[1, [{ a: 1 }]], [2, ['noop']]]);
    expect(forwardAckChunk(true, 7, 0)).toBe('7\n[1,7,0]');
    expect(forwardAckChunk(false, 0, 12)).toBe('8\n[0,0,12]');
    expect(errorPayload(14, 'UNAVAILABLE', 'gone')).toEqual([{ error: { code: 14, message: 'gone', status: 'UNAVAILABLE' } }]);
  });

  it('parses forward bodies into numbered maps and handshake headers', () => {
    const headers = 'Authorization:Bearer owner\r\nX-Goog-Api-Client:gl-js/ fire/12.19.0\r\n';
    const body = `headers=${encodeURIComponent(headers)}&count=2&ofs=5&req0___data__=${encodeURIComponent('{"a":1}')}&req1___data__=${encodeURIComponent('{"b":"x y+z"}')}`;
    const parsed = parseForwardBody(body);
    expect(parsed.maps).toEqual([
      { id: 5, data: '{"a":1}' },
      { id: 6, data: '{"b":"x y+z"}' },
    ]);
    expect(parseHeaderBlock(parsed.headers!)).toEqual({ authorization: 'Bearer owner', 'x-goog-api-client': 'gl-js/ fire/12.19.0' });
    expect(parseForwardBody('').maps).toEqual([]);
  });

  it.each([
    ['count=abc', /count/],
    ['count=-1', /count/],
    ['count=1&ofs=x&req0___data__=1', /offset/],
    ['count=2&ofs=0&req0___data__=1', /map 1 of 2 is missing/],
    ['count=1&ofs=0&req3___data__=1', /outside count/],
    ['count=1&ofs=0&req0_type=_badmap', /could not be encoded/],
    ['count=1&ofs=0&req0_foo=1', /Unsupported WebChannel map field/],
  ])('rejects the malformed forward body %s', (body, message) => {
    expect(() => parseForwardBody(body)).toThrow(message);
  });

  it('rejects malformed header lines', () => {
    expect(() => parseHeaderBlock('no colon here\r\n')).toThrow(/Malformed header/);
  });

  it('reads chunks split anywhere, including inside the length', () => {
    const a = frame('[[1,["x"]]]');
    const b = frame('[[2,["𝄞"]]]');
    const all = a + b;
    const reader = new ChunkReader();
    const out: string[] = [];
    for (const piece of [all.slice(0, 1), all.slice(1, 7), all.slice(7, a.length + 2), all.slice(a.length + 2)]) out.push(...reader.push(piece));
    expect(out).toEqual(['[[1,["x"]]]', '[[2,["𝄞"]]]']);
    expect(reader.pending).toBe(0);
    expect(() => new ChunkReader().push('x1\n[]')).toThrow(/Invalid chunk length/);
  });
});

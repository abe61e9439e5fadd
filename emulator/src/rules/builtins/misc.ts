/** rules.Bytes, rules.LatLng and rules.Path methods, and the `latlng.` / `hashing.` namespaces. */
import { createHash } from 'node:crypto';
import { fail } from '../errors.js';
import { bytes, float, int, latlng, path, str, type BytesV, type LatLngV, type PathSegment, type PathV, type Value } from '../values.js';
import { argAt, asBytes, asLatLng, asMap, asNumber, fixed, type GlobalFn, type Method } from './types.js';

export const BYTES_METHODS: Readonly<Record<string, Method<BytesV>>> = {
  size: fixed(0, (b) => int(b.v.length)),
  // base64url, as documented: b'\xFB\xEF\xBE'.toBase64() == '----'
  toBase64: fixed(0, (b) => str(Buffer.from(b.v).toString('base64').replace(/\+/g, '-').replace(/\//g, '_'))),
  toHexString: fixed(0, (b) => str(Buffer.from(b.v).toString('hex').toUpperCase())),
};

/** Mean Earth radius used by S2, the geometry library behind Google's geo points. */
const EARTH_RADIUS_M = 6_371_010;
const rad = (deg: number): number => (deg * Math.PI) / 180;

function distanceMeters(a: LatLngV, b: LatLngV): number {
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

export const LATLNG_METHODS: Readonly<Record<string, Method<LatLngV>>> = {
  latitude: fixed(0, (g) => float(g.lat)),
  longitude: fixed(0, (g) => float(g.lng)),
  distance: fixed(1, (g, args) => float(distanceMeters(g, asLatLng(argAt(args, 0), 'distance()')))),
};

const num = (v: Value, what: string): number => {
  const n = asNumber(v, what);
  return n.t === 'int' ? Number(n.v) : n.v;
};

export const LATLNG_NAMESPACE: Readonly<Record<string, GlobalFn>> = {
  value: fixed(2, (_, args) => {
    const lat = num(argAt(args, 0), 'latlng.value()');
    const lng = num(argAt(args, 1), 'latlng.value()');
    if (!(lat >= -90 && lat <= 90) || !(lng >= -180 && lng <= 180)) {
      throw fail(`latlng.value(${lat}, ${lng}): latitude must be within [-90, 90] and longitude within [-180, 180]`);
    }
    return latlng(lat, lng);
  }),
};

function crcTable(poly: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? poly ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}
const CRC32 = crcTable(0xedb88320);
const CRC32C = crcTable(0x82f63b78);

function crc(table: Uint32Array, data: Uint8Array): Uint8Array {
  let c = 0xffffffff;
  for (const b of data) c = (table[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  c = (c ^ 0xffffffff) >>> 0;
  return Uint8Array.of(c >>> 24, (c >>> 16) & 0xff, (c >>> 8) & 0xff, c & 0xff);
}

const encoder = new TextEncoder();
function hashInput(v: Value, what: string): Uint8Array {
  if (v.t === 'string') return encoder.encode(v.v);
  return asBytes(v, what).v;
}

const digest = (algo: string) => (data: Uint8Array): Uint8Array => new Uint8Array(createHash(algo).update(data).digest());

const hashFn = (name: string, h: (data: Uint8Array) => Uint8Array): GlobalFn =>
  fixed(1, (_, args) => bytes(h(hashInput(argAt(args, 0), `hashing.${name}()`))));

export const HASHING_NAMESPACE: Readonly<Record<string, GlobalFn>> = {
  crc32: hashFn('crc32', (d) => crc(CRC32, d)),
  crc32c: hashFn('crc32c', (d) => crc(CRC32C, d)),
  md5: hashFn('md5', digest('md5')),
  sha256: hashFn('sha256', digest('sha256')),
};

export const PATH_METHODS: Readonly<Record<string, Method<PathV>>> = {
  bind: fixed(1, (p, args) => {
    const m = asMap(argAt(args, 0), 'bind()');
    const segs: PathSegment[] = p.segs.map((s) => {
      if (typeof s === 'string') return s;
      const v = m.v.get(s.placeholder);
      if (v === undefined) return s;
      if (v.t !== 'string') throw fail(`bind(): value for '${s.placeholder}' must be a string, got ${v.t}`);
      return v.v;
    });
    return path(segs);
  }),
};

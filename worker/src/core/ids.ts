const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A source of uniformly distributed numbers in [0, 1); injected so tests are deterministic. */
export type RandomSource = () => number;

export const cryptoRandom: RandomSource = () => {
  const buf = new Uint32Array(1);
  globalThis.crypto.getRandomValues(buf);
  return (buf[0] ?? 0) / 0x1_0000_0000;
};

/**
 * A 20-character random document id like Firestore's auto ids. Random (not time-ordered)
 * ids keep writes spread over the key space (no monotonic hot spot).
 */
export function newDocumentId(random: RandomSource = cryptoRandom): string {
  let id = '';
  for (let i = 0; i < 20; i++) id += ALPHABET[Math.floor(random() * ALPHABET.length)] ?? 'A';
  return id;
}

/**
 * A default server id that says nothing about where the server runs. End users read server
 * ids in their own jobs (a running job's lease owner, the server of each failed attempt) and
 * in the stats document (the leader), so the default must not carry the hostname and pid it
 * once did; the servers collection, which only admins read, records those.
 */
export function opaqueServerId(random: RandomSource = cryptoRandom): string {
  return `srv-${newDocumentId(random).slice(0, 12)}`;
}

/** Deterministic pseudo-random source for tests and simulations (mulberry32). */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

import http from 'node:http';
import { ChunkReader } from './framing.js';
import type { StreamKind } from './session.js';

type Json = Record<string, unknown>;

export interface WebChannelClientOptions {
  /** Sent in the handshake's `headers` field, like the browser SDK (e.g. Authorization). */
  headers?: Record<string, string>;
  /** CI=1 backchannels (long polling) instead of one streaming response. */
  longPoll?: boolean;
  agent?: http.Agent;
}

export interface ReceivedArray {
  id: number;
  payload: unknown[];
}

/**
 * A minimal WebChannel client in Node (raw HTTP, the browser SDK's wire format), for tests
 * and the soak script: handshake with a first message, forward messages, a streaming or
 * long-polling backchannel, terminate, or abandon without a word.
 */
export class WebChannelClient {
  sid: string | undefined;
  httpSessionId: string | undefined;
  /** Every data payload received (noops excluded), in order. */
  readonly messages: unknown[] = [];
  readonly arrays: ReceivedArray[] = [];
  lastArrayId = 0;
  /** Set when the server answered "Unknown SID" or a request failed. */
  error: string | undefined;
  private nextMapId = 0;
  private rid = Math.floor(Math.random() * 100_000);
  private backchannel: http.ClientRequest | undefined;
  private stopped = false;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly baseUrl: string,
    private readonly kind: StreamKind,
    private readonly database: string,
    private readonly options: WebChannelClientOptions = {},
  ) {}

  private url(params: Record<string, string | number>): string {
    const q = new URLSearchParams({ VER: '8', database: this.database, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) });
    if (this.httpSessionId) q.set('gsessionid', this.httpSessionId);
    return `${this.baseUrl}/google.firestore.v1.Firestore/${this.kind}/channel?${q.toString()}`;
  }

  private request(method: 'GET' | 'POST', url: string, body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(url, { method, agent: this.options.agent, headers: body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  private mapsBody(messages: Json[], extra?: string): string {
    return this.encodedMapsBody(messages.map((m) => encodeURIComponent(JSON.stringify(m))), extra);
  }

  private encodedMapsBody(data: string[], extra?: string): string {
    const parts = [`count=${data.length}`, `ofs=${this.nextMapId}`];
    data.forEach((d, i) => parts.push(`req${i}___data__=${d}`));
    this.nextMapId += data.length;
    if (extra) parts.unshift(extra);
    return parts.join('&');
  }

  /** Handshake; `first` travels in it like the SDK's first stream message. */
  async open(first?: Json): Promise<void> {
    const headerBlock = Object.entries(this.options.headers ?? {}).map(([k, v]) => `${k}:${v}\r\n`).join('');
    const body = this.mapsBody(first ? [first] : [], headerBlock ? `headers=${encodeURIComponent(headerBlock)}` : undefined);
    const res = await this.request('POST', this.url({ RID: this.rid++, CVER: 22, 'X-HTTP-Session-Id': 'gsessionid', zx: 'x', t: 1 }), body);
    if (res.status !== 200) throw new Error(`Handshake failed: ${res.status} ${res.text}`);
    const [chunk] = new ChunkReader().push(res.text);
    const arrays = JSON.parse(chunk ?? '[]') as Array<[number, unknown[]]>;
    const c = arrays[0]?.[1];
    if (!Array.isArray(c) || c[0] !== 'c' || typeof c[1] !== 'string') throw new Error(`Unexpected handshake answer ${res.text}`);
    this.sid = c[1];
    this.httpSessionId = String(res.headers['x-http-session-id'] ?? '');
  }

  /** Forward POST; resolves to the server's `[backchannelPresent, lastArrayId, outstanding]`. */
  async send(...messages: Json[]): Promise<[number, number, number]> {
    return this.sendEncoded(...messages.map((m) => encodeURIComponent(JSON.stringify(m))));
  }

  /** Forward POST of maps given as already form-encoded `__data__` (tests send malformed ones). */
  async sendEncoded(...data: string[]): Promise<[number, number, number]> {
    const res = await this.request('POST', this.url({ SID: this.sid!, RID: this.rid++, AID: this.lastArrayId, zx: 'x', t: 1 }), this.encodedMapsBody(data));
    if (res.status !== 200) {
      this.error = res.text;
      throw new Error(`Forward POST failed: ${res.status} ${res.text}`);
    }
    const [chunk] = new ChunkReader().push(res.text);
    return JSON.parse(chunk!) as [number, number, number];
  }

  /** Opens the backchannel (and, when long polling, keeps re-polling until stopped). */
  startBackchannel(): void {
    const poll = (): void => {
      if (this.stopped) return;
      const reader = new ChunkReader();
      const req = http.request(this.url({ RID: 'rpc', SID: this.sid!, AID: this.lastArrayId, CI: this.options.longPoll ? 1 : 0, TYPE: 'xmlhttp', zx: 'x', t: 1 }), { agent: this.options.agent }, (res) => {
        res.setEncoding('utf8');
        let body = '';
        res.on('data', (d: string) => {
          if (res.statusCode !== 200) {
            body += d;
            return;
          }
          for (const chunk of reader.push(d)) this.receive(chunk);
        });
        res.on('end', () => {
          if (res.statusCode !== 200) {
            this.error = `${res.statusCode} ${body}`;
            this.notify();
            return;
          }
          if (this.options.longPoll) poll();
        });
        res.on('error', () => undefined);
      });
      req.on('error', () => undefined);
      req.end();
      this.backchannel = req;
    };
    poll();
  }

  private receive(chunk: string): void {
    for (const [id, payload] of JSON.parse(chunk) as Array<[number, unknown[]]>) {
      if (id <= this.lastArrayId) continue;
      this.lastArrayId = id;
      this.arrays.push({ id, payload });
      if (payload[0] !== 'noop') this.messages.push(payload[0]);
    }
    this.notify();
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  /** Resolves once `predicate()` holds (checked after every received chunk). */
  async until(predicate: () => boolean, timeoutMs = 10_000, what = 'messages'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Closes the session like the SDK does (a terminate request). */
  async terminate(): Promise<number> {
    this.stopped = true;
    this.backchannel?.destroy();
    const res = await this.request('POST', this.url({ SID: this.sid!, RID: this.rid++, TYPE: 'terminate', zx: 'x', t: 1 }), '');
    return res.status;
  }

  /** Goes away without a word (tab closed, network gone): the server must expire the session. */
  abandon(): void {
    this.stopped = true;
    this.backchannel?.destroy();
  }
}

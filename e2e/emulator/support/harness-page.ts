import type { Page, Request } from '@playwright/test';
import type { ConnectOptions, Harness, ListenerState, QuerySpec } from '../harness/harness.js';

export const HARNESS_URL = '/e2e/emulator/harness/index.html';

type Win = { harness: Harness };

/** Typed access to the page's `window.harness`, plus the WebChannel requests the page made. */
export class HarnessPage {
  readonly channelRequests: URL[] = [];
  /** Warnings and errors the SDK logged (transport errors, failed RPCs). */
  readonly consoleProblems: string[] = [];
  /** Emulator answers with an HTTP error status (`<status> <method> <path>`). */
  readonly emulatorErrors: string[] = [];

  constructor(
    readonly page: Page,
    private readonly emulatorPort: number,
  ) {
    page.on('request', (req: Request) => {
      const url = new URL(req.url());
      if (Number(url.port) === this.emulatorPort && url.pathname.endsWith('/channel')) this.channelRequests.push(url);
    });
    page.on('response', (res) => {
      const url = new URL(res.url());
      if (Number(url.port) === this.emulatorPort && res.status() >= 400) this.emulatorErrors.push(`${res.status()} ${res.request().method()} ${url.pathname}`);
    });
    page.on('console', (msg) => {
      if (msg.type() === 'warning' || msg.type() === 'error') this.consoleProblems.push(msg.text());
    });
  }

  async open(): Promise<void> {
    await this.page.goto(HARNESS_URL);
    await this.page.waitForFunction(() => (globalThis as unknown as Partial<Win>).harness !== undefined);
  }

  /** Backchannel GETs (`RID=rpc`) by their CI value: '0' streaming, '1' long polling. */
  backchannelModes(): string[] {
    return this.channelRequests.filter((u) => u.searchParams.get('RID') === 'rpc').map((u) => u.searchParams.get('CI') ?? '?');
  }

  connect(options: ConnectOptions): Promise<void> {
    return this.page.evaluate((o) => (globalThis as unknown as Win).harness.connect(o), options);
  }

  set(path: string, data: Record<string, unknown>): Promise<void> {
    return this.page.evaluate(([p, d]) => (globalThis as unknown as Win).harness.set(p, d), [path, data] as const);
  }

  increment(path: string, field: string, by: number): Promise<void> {
    return this.page.evaluate(([p, f, b]) => (globalThis as unknown as Win).harness.increment(p, f, b), [path, field, by] as const);
  }

  get(path: string): Promise<Record<string, unknown> | null> {
    return this.page.evaluate((p) => (globalThis as unknown as Win).harness.get(p), path);
  }

  query(spec: QuerySpec): Promise<Array<{ id: string; data: Record<string, unknown> }>> {
    return this.page.evaluate((s) => (globalThis as unknown as Win).harness.query(s), spec);
  }

  count(spec: QuerySpec): Promise<number> {
    return this.page.evaluate((s) => (globalThis as unknown as Win).harness.count(s), spec);
  }

  transfer(from: string, to: string, amount: number): Promise<{ attempts: number }> {
    return this.page.evaluate(([f, t, a]) => (globalThis as unknown as Win).harness.transfer(f, t, a), [from, to, amount] as const);
  }

  liteQuery(collection: string): Promise<Array<{ id: string; data: Record<string, unknown> }>> {
    return this.page.evaluate((c) => (globalThis as unknown as Win).harness.liteQuery(c), collection);
  }

  liteGet(path: string): Promise<Record<string, unknown> | null> {
    return this.page.evaluate((p) => (globalThis as unknown as Win).harness.liteGet(p), path);
  }

  liteSet(path: string, data: Record<string, unknown>): Promise<void> {
    return this.page.evaluate(([p, d]) => (globalThis as unknown as Win).harness.liteSet(p, d), [path, data] as const);
  }

  listen(id: string, target: string | QuerySpec): Promise<void> {
    return this.page.evaluate(([i, t]) => (globalThis as unknown as Win).harness.listen(i, t), [id, target] as const);
  }

  listener(id: string): Promise<ListenerState> {
    return this.page.evaluate((i) => (globalThis as unknown as Win).harness.listener(i), id);
  }

  shutdown(): Promise<void> {
    return this.page.evaluate(() => (globalThis as unknown as Win).harness.shutdown());
  }
}

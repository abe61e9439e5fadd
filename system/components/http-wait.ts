/** Polls `url` until it answers (any HTTP status unless `ok` is required) or the time runs out. */
export async function waitForHttp(url: string, options: { timeoutMs: number; ok?: boolean; what: string }): Promise<Response> {
  const deadline = Date.now() + options.timeoutMs;
  let last: string;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (!options.ok || response.ok) return response;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    }
    if (Date.now() > deadline) throw new Error(`${options.what} at ${url} did not answer within ${Math.round(options.timeoutMs / 1000)} s (${last})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

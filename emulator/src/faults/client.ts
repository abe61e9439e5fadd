import type { CommitFailureStatus, DelayableMethod, FaultRequest, FaultSnapshot } from './fault-plan.js';

/**
 * Drives the fault endpoint of an emulator in another process (chaos harness, e2e tests):
 * `faultsClient('http://127.0.0.1:8080', 'demo-x').dropStreams()`.
 */
export interface FaultsClient {
  configure(request: FaultRequest): Promise<FaultSnapshot & { dropped: number }>;
  dropStreams(): Promise<number>;
  delay(method: DelayableMethod, ms: number): Promise<void>;
  failNextCommits(count: number, status?: CommitFailureStatus): Promise<void>;
  snapshot(): Promise<FaultSnapshot>;
  clear(): Promise<void>;
}

export function faultsClient(baseUrl: string, projectId: string): FaultsClient {
  const url = `${baseUrl.replace(/\/$/, '')}/emulator/v1/projects/${encodeURIComponent(projectId)}:faults`;
  const call = async <T>(method: string, body?: unknown): Promise<T> => {
    const res = await fetch(url, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`Fault endpoint answered ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  };
  const configure = (request: FaultRequest) => call<FaultSnapshot & { dropped: number }>('POST', request);
  return {
    configure,
    dropStreams: async () => (await configure({ dropStreams: true })).dropped,
    delay: async (method, ms) => {
      await configure({ delays: { [method]: ms } });
    },
    failNextCommits: async (count, status = 'ABORTED') => {
      await configure({ failCommits: { count, status } });
    },
    snapshot: () => call<FaultSnapshot>('GET'),
    clear: async () => {
      await call('DELETE');
    },
  };
}

import type { FakeCallLog } from '@fq/fake-gemini';
import type { BenchJob } from '../lib/job-set.js';
import type { Rig } from '../lib/rig.js';
import { runNaiveBaseline, type NaiveResult, type NaiveRetryPolicy } from './naive-baseline.js';

/**
 * The naive baseline on a scenario's rig after the fleet's run: the fake's stats (and any
 * capacity schedule) start again at its start; the workers stay up but idle.
 */
export async function runNaiveSide(
  rig: Rig,
  jobs: readonly BenchJob[],
  options: { model: string; policy: Partial<NaiveRetryPolicy>; what: string; log(message: string): void },
): Promise<{ naive: NaiveResult; calls: FakeCallLog }> {
  await rig.fake.reset({ stats: true, failures: true });
  options.log(`${options.what}: ${jobs.length} jobs, blind exponential retries`);
  const naive = await runNaiveBaseline({ upstreamUrl: rig.fakeUrl, jobs, model: options.model, policy: options.policy });
  options.log(`${options.what}: drained in ${(naive.drainMs / 1000).toFixed(1)} s`);
  return { naive, calls: await rig.fake.calls() };
}

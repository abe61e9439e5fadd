import type { Scenario } from '../lib/scenario.js';
import { capacityStepScenario } from './capacity-step.js';
import { ceilingScenario } from './ceiling.js';
import { costScenario } from './cost.js';
import { dashboardScenario } from './dashboard.js';
import { demoScenario } from './demo.js';
import { errorRateScenario } from './error-rate.js';
import { fleetBudgetScenario } from './fleet-budget.js';
import { floodScenario } from './flood.js';
import { latencyScenario } from './latency.js';
import { outageScenario } from './outage.js';
import { overloadScenario } from './overload.js';
import { quotaScenario } from './quota.js';
import { scaleScenario } from './scale.js';

/** Every bench scenario by its `--scenario` name, in the order a full run executes them. */
export const SCENARIOS: Record<string, Scenario> = {
  overload: overloadScenario as Scenario,
  'capacity-step': capacityStepScenario as Scenario,
  quota: quotaScenario as Scenario,
  outage: outageScenario as Scenario,
  'error-rate': errorRateScenario as Scenario,
  'fleet-budget': fleetBudgetScenario as Scenario,
  cost: costScenario as Scenario,
  latency: latencyScenario as Scenario,
  flood: floodScenario as Scenario,
  ceiling: ceilingScenario as Scenario,
  dashboard: dashboardScenario as Scenario,
  scale: scaleScenario as Scenario,
  demo: demoScenario as Scenario,
};

export const SCENARIO_NAMES = Object.keys(SCENARIOS);

// The design document's "Key Metrics Tracked", as written.
import { enterpriseQueue } from './01-initialize';

// ---- snippet (verbatim) ----
const stats = await enterpriseQueue.getEnterpriseStats();

console.log('Active Servers:', stats.servers.length);
console.log('Queue Size:', stats.queueStats.totalInQueue);
console.log('Success Rate:', stats.performance.successRate);
console.log('Circuit Breaker:', stats.circuitBreaker.state);
// ---- end of snippet ----

export { stats };

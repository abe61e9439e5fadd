/**
 * The worker's collection-to-schema map is the single source of truth; the dashboard only
 * re-exports it so data-layer files import from one place.
 */
export { DOC_SCHEMAS, decodeDoc, encodeDoc, type DocOf } from '@fq/worker/schema';

export * from './export-format.js';
export * from './export-store.js';
export * from './import-store.js';
export { addExportRoute } from './export-route.js';

import { fileURLToPath } from 'node:url';

/** Repository root and the package roots the harness starts processes from. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WORKER_ROOT = fileURLToPath(new URL('../../worker/', import.meta.url));

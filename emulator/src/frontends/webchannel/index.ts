/** WebChannel front end (browser SDK Listen/Write streams). */
export { addWebChannelRoutes, CHANNEL_PATH } from './routes.js';
export type { WebChannelFrontEnd } from './routes.js';
export { DEFAULT_WEBCHANNEL_OPTIONS } from './options.js';
export type { WebChannelOptions } from './options.js';
export type { SessionStats } from './sessions.js';

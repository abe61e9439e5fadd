export * from './resume-token.js';
export * from './target.js';
export * from './session.js';

export * from './model.js';
export * from './parse.js';
export * from './filters.js';
export * from './order.js';
export * from './evaluate.js';
export * from './find-nearest.js';
export * from './aggregate.js';

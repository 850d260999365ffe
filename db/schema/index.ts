export * from './audit.js';
export * from './customers.js';

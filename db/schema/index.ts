export * from './audit.js';
export * from './billing.js';
export * from './collections.js';
export * from './customers.js';
export * from './ledger.js';
export * from './notifications.js';
export * from './orders.js';
export * from './payments.js';

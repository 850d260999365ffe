// Every activity the worker registers, built from the dependencies it is given.
// Workflows import the resulting type only.
import type { Database } from '../db/client.js';
import { createAuditActivities } from './audit/index.js';
import { createBillingActivities } from './billing/index.js';
import { createCollectionsActivities } from './collections/index.js';
import { createCreditActivities } from './credit/index.js';
import { failingFast } from './failures.js';
import { createNotificationActivities } from './notifications/index.js';
import { createOrderActivities } from './orders/index.js';
import { createPaymentActivities } from './payments/index.js';

export interface ActivityDeps {
  db: Database;
}

export function createActivities(deps: ActivityDeps) {
  return failingFast({
    ...createAuditActivities(deps),
    ...createOrderActivities(deps),
    ...createCreditActivities(deps),
    ...createBillingActivities(deps),
    ...createPaymentActivities(deps),
    ...createCollectionsActivities(deps),
    ...createNotificationActivities(deps),
  });
}

export type Activities = ReturnType<typeof createActivities>;

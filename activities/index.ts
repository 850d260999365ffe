// Every activity the worker registers, built from the dependencies it is given.
// Workflows import the resulting type only.
import type { Database } from '../db/client.js';
import { createAuditActivities } from './audit/index.js';

export interface ActivityDeps {
  db: Database;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createAuditActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;

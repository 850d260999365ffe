import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client.js';
import { listAuditEvents } from '../../db/queries/audit.js';
import { createOrderWorker } from '../../workers/order-worker.js';
import { openTestDatabase, uniqueId } from '../helpers/database.js';
import { startTimeSkippingServer } from '../helpers/temporal.js';
import type { plumbingReminderWorkflow } from './fixtures/reminder-workflow.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/reminder-workflow.ts', import.meta.url));
const DAY_MS = 24 * 60 * 60 * 1000;

describe('order worker on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let database: DatabaseHandle;

  beforeAll(async () => {
    [env, database] = await Promise.all([startTimeSkippingServer(), openTestDatabase()]);
  });
  afterAll(async () => {
    await env?.teardown();
    await database?.close();
  });

  it('skips a 30-day timer and runs the real activity against PostgreSQL once per step', async () => {
    const taskQueue = uniqueId('plumbing');
    const subjectId = uniqueId('order');
    const workflowId = `order:${subjectId}`;
    const worker = await createOrderWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      db: database.db,
      taskQueue,
      workflowsPath: FIXTURE,
    });

    const wallStart = Date.now();
    const result = await worker.runUntil(
      env.client.workflow.execute<typeof plumbingReminderWorkflow>('plumbingReminderWorkflow', {
        taskQueue,
        workflowId,
        args: [subjectId],
      }),
    );

    expect(result.sleptMs).toBeGreaterThanOrEqual(30 * DAY_MS);
    expect(Date.now() - wallStart).toBeLessThan(30_000);
    expect(result).toMatchObject({ first: true, repeat: false });
    const events = await listAuditEvents(database.db, 'order', subjectId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ eventKey: `${workflowId}:reminder`, action: 'reminder.sent', actorKind: 'system' });
  });
});

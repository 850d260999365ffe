import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client.js';
import { listAuditEvents } from '../../db/queries/audit.js';
import { upsertCustomer } from '../../db/queries/customers.js';
import { type OrderInput, orderWorkflowId } from '../../workflows/order/contract.js';
import { STANDARD_ORDER_POLICY } from '../../workflows/order/rules/policy.js';
import type { orderWorkflow } from '../../workflows/order/workflow.js';
import { createOrderWorker } from '../../workers/order-worker.js';
import { openTestDatabase, uniqueId } from '../helpers/database.js';
import { startTimeSkippingServer } from '../helpers/temporal.js';
import type { plumbingReminderWorkflow } from './fixtures/reminder-workflow.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/reminder-workflow.ts', import.meta.url));
const DAY_MS = 24 * 60 * 60 * 1000;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

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

    const serverStart = await env.currentTimeMs();
    const result = await worker.runUntil(
      env.client.workflow.execute<typeof plumbingReminderWorkflow>('plumbingReminderWorkflow', {
        taskQueue,
        workflowId,
        args: [subjectId],
      }),
    );

    // The month passed in the server's time (a server that waited for real would never get
    // here: the test's own timeout ends it), however long the machine took.
    expect(result.sleptMs).toBeGreaterThanOrEqual(30 * DAY_MS);
    expect((await env.currentTimeMs()) - serverStart).toBeGreaterThanOrEqual(30 * DAY_MS);
    expect(result).toMatchObject({ first: true, repeat: false });
    const events = await listAuditEvents(database.db, 'order', subjectId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ eventKey: `${workflowId}:reminder`, action: 'reminder.sent', actorKind: 'system' });
  });

  it('runs orders from a bundle built ahead of time by npm run build:workflows', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'o2c-bundle-'));
    const codePath = path.join(dir, 'workflows.js');
    try {
      await promisify(execFile)(process.execPath, ['--import', 'tsx', 'workers/build-workflows.ts', codePath], { cwd: ROOT });
      expect(readFileSync(codePath, 'utf8')).toContain('orderWorkflow');

      const customerId = uniqueId('cust');
      await upsertCustomer(database.db, { id: customerId, name: 'Bundle Ltd', currency: 'EUR', creditLimitMinor: 1, paymentTermsDays: 30, contactEmail: null });
      const input: OrderInput = {
        orderId: uniqueId('ord'),
        customerId,
        currency: 'EUR',
        lines: [{ lineId: 'l1', sku: 'S', description: 'Service', quantity: 1, unitPriceMinor: 10_000 }],
        taxRateBps: 0,
        paymentTermsDays: 30,
        policy: STANDARD_ORDER_POLICY,
      };
      const taskQueue = uniqueId('bundle');
      const worker = await createOrderWorker({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        db: database.db,
        taskQueue,
        workflowBundle: { codePath },
      });
      // Far over its limit: rejected, the customer told, the order closed.
      const result = await worker.runUntil(
        env.client.workflow.execute<typeof orderWorkflow>('orderWorkflow', { taskQueue, workflowId: orderWorkflowId(input.orderId), args: [input] }),
      );
      expect(result.status).toBe('credit_rejected');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

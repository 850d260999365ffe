// A step no retry can fix: the database refuses its data, every attempt alike. The order's own
// step stops the order in needs_attention for a person, who retries it once repaired; a step a
// message asks for refuses that message, and the order goes on. The database refuses through a
// trigger of the test's own, scoped to its order, dropped to "repair" it.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { listAuditEvents } from '../../../db/queries/audit.js';
import { getOrderRow } from '../../../db/queries/orders.js';
import {
  OrderRefusal,
  OrderSearchAttributes,
  getOrderQuery,
  recordPaymentUpdate,
  recordShipmentUpdate,
  retryOrderUpdate,
} from '../../../workflows/order/contract.js';
import { startTimeSkippingServer } from '../../helpers/temporal.js';
import { type Harness, eventually, newOrder, payment, recordHistory, startOrder, useOrderHarness } from './harness.js';

let env: TestWorkflowEnvironment;
let h: Harness;
useOrderHarness(startTimeSkippingServer, (e, harness) => {
  env = e;
  h = harness;
});

/** Makes PostgreSQL refuse, as a data exception (22023), every insert into `table` for the order. */
async function refuseInserts(table: 'order_lines' | 'payments', orderId: string): Promise<() => Promise<void>> {
  const name = `refuse_${orderId.replaceAll(/[^a-z0-9]/gi, '_')}_${table}`;
  await h.database.rows(
    sql.raw(`create function ${name}() returns trigger language plpgsql as $$
      begin
        if new.order_id = '${orderId}' then raise exception 'value refused for this test' using errcode = '22023'; end if;
        return new;
      end $$`),
  );
  await h.database.rows(sql.raw(`create trigger ${name} before insert on ${table} for each row execute function ${name}()`));
  return async () => {
    await h.database.rows(sql.raw(`drop trigger ${name} on ${table}`));
    await h.database.rows(sql.raw(`drop function ${name}()`));
  };
}

describe('a step that can never succeed', () => {
  it("stops the order in needs_attention, visible everywhere, until finance's retry after the repair", async () => {
    const input = await newOrder(h);
    const repair = await refuseInserts('order_lines', input.orderId);
    const handle = await startOrder(h, input);

    const stopped = await handle.query(getOrderQuery);
    expect(stopped.status).toBe('needs_attention');
    expect(stopped.attention?.reason).toContain('value refused for this test');
    expect(stopped.timeline.map((entry) => entry.event)).toContain('stopped: needs attention');
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(OrderSearchAttributes.status)).toBe('needs_attention');

    // Retried before the repair, it stops again, for the same reason.
    const again = await handle.executeUpdate(retryOrderUpdate, { args: [{ requestedBy: 'alice@finance', comment: 'trying' }] });
    expect(again.status).toBe('needs_attention');

    await repair();
    const retried = await handle.executeUpdate(retryOrderUpdate, { args: [{ requestedBy: 'alice@finance', comment: 'trigger removed' }] });
    expect(retried.status).toBe('awaiting_shipment');
    expect(retried.attention).toBeNull();
    expect(retried.nextStep).not.toBeNull();
    expect((await getOrderRow(h.database.db, input.orderId))?.status).toBe('awaiting_shipment');
    const audit = await listAuditEvents(h.database.db, 'order', input.orderId);
    expect(audit.filter((event) => event.action === 'order.retry_requested').map((event) => event.actor)).toEqual(['alice@finance', 'alice@finance']);
    await recordHistory(handle, 'needs-attention-then-retried');
  });

  it('refuses the message whose step it is, naming why, and the order goes on', async () => {
    const input = await newOrder(h);
    const handle = await startOrder(h, input);
    const invoiced = await handle.executeUpdate(recordShipmentUpdate, {
      args: [{ shipmentId: 'sh-1', lines: [{ lineId: 'l1', quantity: 10 }, { lineId: 'l2', quantity: 2 }] }],
    });
    const repair = await refuseInserts('payments', input.orderId);
    const refused = await handle.executeUpdate(recordPaymentUpdate, { args: [payment(`p-${input.orderId}`, 180_000)] }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    const failure = ((refused as WorkflowUpdateFailedError).cause as ActivityFailure).cause as ApplicationFailure;
    expect(failure).toMatchObject({ type: OrderRefusal.stepCannotSucceed });
    expect(failure.message).toContain('value refused for this test');
    await repair();

    const view = await handle.query(getOrderQuery);
    expect(view).toMatchObject({ status: 'awaiting_payment', balanceMinor: invoiced.invoice!.totalMinor, payments: [] });
    const paid = await handle.executeUpdate(recordPaymentUpdate, { args: [payment(`p2-${input.orderId}`, 180_000)] });
    expect(paid.order.status).toBe('closed');
    await eventually(async () => expect((await getOrderRow(h.database.db, input.orderId))?.status).toBe('closed'));
    await recordHistory(handle, 'hopeless-payment-refused');
  });
});

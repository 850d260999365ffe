// Orders: each route starts the order's workflow or sends it one update, and answers with
// the state the workflow returns. Rules live in the workflow and its rules modules; this
// gathers the facts they need and only translates their answers.
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { type UpdateDefinition, WorkflowNotFoundError } from '@temporalio/common';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../../db/client.js';
import { getCustomer } from '../../db/queries/customers.js';
import { getOrderRow, listOrders, type OrderRow } from '../../db/queries/orders.js';
import { getPayment } from '../../db/queries/payments.js';
import {
  type OrderView,
  cancelOrderUpdate,
  decideCreditUpdate,
  getOrderQuery,
  openDisputeUpdate,
  orderWorkflowId,
  recordPaymentUpdate,
  recordShipmentUpdate,
  resolveDisputeUpdate,
  retryOrderUpdate,
  writeOffUpdate,
} from '../../workflows/order/contract.js';
import {
  type AdmissionDecision,
  type AdmissionFacts,
  type AdmissionRefusal,
  type RecordedOrder,
  admitOrder,
} from '../../workflows/order/rules/admission.js';
import { utcDate } from '../../workflows/order/rules/invoice.js';
import { paymentIdentity } from '../../workflows/order/rules/receivable.js';
import { recordedShipmentLines, shipmentIdentity } from '../../workflows/order/rules/shipment.js';
import type { OrderPolicyName } from '../../workflows/order/rules/policy.js';
import { fingerprint, orderInput, submitOrder } from '../../workflows/order/start.js';
import type { orderWorkflow } from '../../workflows/order/workflow.js';
import { DomainError } from '../errors.js';
import { orderExamples as examples } from '../examples.js';
import { problemResponses, response, withExamples } from '../openapi.js';
import { orderIdParams } from '../schemas/common.js';
import {
  cancelBody,
  createOrderBody,
  creditDecisionBody,
  disputeBody,
  disputeParams,
  encodeCursor,
  listOrdersQuery,
  orderLinesProblems,
  orderPage,
  orderView,
  paymentBody,
  paymentResult,
  resolutionBody,
  retryBody,
  shipmentBody,
  writeOffBody,
} from '../schemas/orders.js';
import type { EngineAdmission } from '../admission.js';
import { fromTemporal } from '../temporal-errors.js';

export interface OrderRouteDeps {
  temporal: Client;
  db: Db;
  /** Policy profiles a caller may name; `standard` always. */
  policies: readonly OrderPolicyName[];
  /** Task queue of the order workers (tests run their own). */
  taskQueue?: string;
  /** How long a request waits for the order: updates (and creation), and reads. */
  timeouts?: { updateMs: number; queryMs: number };
  /** Calls to the engine in flight at most; past it, 429 at once. */
  admission: EngineAdmission;
}

export const DEFAULT_TEMPORAL_TIMEOUTS = { updateMs: 15_000, queryMs: 5_000 };

/** What the admission rule needs of an order's row. */
function recordedOrder(row: OrderRow): RecordedOrder {
  return { requestFingerprint: row.requestFingerprint, closed: row.closedAt !== null };
}

function refused(refusal: AdmissionRefusal): DomainError {
  return new DomainError(
    refusal.code,
    refusal.message,
    refusal.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: refusal.retryAfterSeconds },
  );
}

export const orderRoutes: FastifyPluginAsyncZod<OrderRouteDeps> = async (app, deps) => {
  const { temporal, db } = deps;
  const timeouts = deps.timeouts ?? DEFAULT_TEMPORAL_TIMEOUTS;
  const handle = (orderId: string) => temporal.workflow.getHandle<typeof orderWorkflow>(orderWorkflowId(orderId));
  // Every call to Temporal has a deadline: a request never waits on an order without end
  // (no worker polling, a handler waiting on a person); past it the caller gets 503.
  // Past the calls the engine can serve at once, a request is refused before it reaches it.
  const within = <T>(ms: number, call: () => Promise<T>) => deps.admission.run(() => temporal.withDeadline(Date.now() + ms, call));

  /** The order's live state, from its workflow. */
  async function query(orderId: string) {
    try {
      return await within(timeouts.queryMs, () => handle(orderId).query(getOrderQuery));
    } catch (err) {
      throw fromTemporal(err);
    }
  }

  /** The order's workflow status as Temporal describes it; null when Temporal does not know it. */
  async function workflowStatus(orderId: string): Promise<string | null> {
    try {
      return (await within(timeouts.queryMs, () => handle(orderId).describe())).status.name;
    } catch (err) {
      const mapped = fromTemporal(err);
      if (!(mapped instanceof WorkflowNotFoundError)) throw mapped;
      return null;
    }
  }

  /** The admission rule's decision, with the workflow's status when the rule asks for it. */
  async function admit(facts: AdmissionFacts): Promise<Exclude<AdmissionDecision, { kind: 'ask-workflow' }>> {
    let decision = admitOrder(facts);
    if (decision.kind === 'ask-workflow') {
      decision = admitOrder({ ...facts, workflowStatus: await workflowStatus(facts.request.orderId) });
    }
    if (decision.kind === 'ask-workflow') throw new Error('the admission rule asked for the workflow twice');
    return decision;
  }

  /** What a closed order answers: its final state as stored, or else from Temporal. */
  async function closedView(row: NonNullable<Awaited<ReturnType<typeof getOrderRow>>>): Promise<OrderView> {
    if (row.finalView) return row.finalView;
    try {
      return await query(row.id);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        throw new DomainError('NOT_FOUND', `Order ${row.id} is ${row.status}; its details are no longer kept.`);
      }
      throw err;
    }
  }

  /** An order the workflow no longer answers for: closed (409) or never created (404). */
  async function notRunning(orderId: string): Promise<DomainError> {
    const row = await getOrderRow(db, orderId);
    if (!row) return new DomainError('NOT_FOUND', `Order ${orderId} does not exist.`);
    return new DomainError('CONFLICT', `Order ${orderId} is ${row.status} and takes no more requests.`);
  }

  /** Sends one update; a closed or unknown order and every refusal become the right status. */
  async function update<Ret, Arg>(orderId: string, def: UpdateDefinition<Ret, [Arg]>, arg: Arg): Promise<Ret> {
    try {
      return await within(timeouts.updateMs, () => handle(orderId).executeUpdate(def, { args: [arg] }));
    } catch (err) {
      const mapped = fromTemporal(err);
      if (mapped instanceof WorkflowNotFoundError) throw await notRunning(orderId);
      throw mapped;
    }
  }

  app.post(
    '/orders',
    {
      config: { roles: ['service'] },
      schema: {
        operationId: 'createOrder',
        summary: 'Create an order and start its workflow',
        description:
          'Answers once the credit check has an outcome (approved, held or rejected), never later. The order ID is the idempotency key: the same body again answers 200 with the order; another body under the same ID is 409.',
        tags: ['orders'],
        body: withExamples(createOrderBody, examples.create.body),
        response: {
          200: response(orderView, 'The same body again: the order as it is now. Nothing changes.', examples.create[200]),
          201: response(orderView, "Created, with the credit check's outcome; `Location` names it.", examples.create[201], {
            location: 'The new order: `/orders/{orderId}`.',
          }),
          ...problemResponses(examples.create.problems),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const linesProblems = orderLinesProblems(body.lines);
      if (linesProblems.length > 0) {
        throw new DomainError('UNPROCESSABLE', `The order's lines cannot be taken: ${linesProblems.map((p) => p.message).join('; ')}.`, {
          errors: linesProblems,
        });
      }
      const requestFingerprint = fingerprint(body);
      const [recorded, customer] = await Promise.all([getOrderRow(db, body.orderId), getCustomer(db, body.customerId)]);
      const facts: AdmissionFacts = {
        request: { ...body, requestFingerprint },
        recorded: recorded && recordedOrder(recorded),
        customer,
        offeredPolicies: deps.policies,
      };
      const decision = await admit(facts);
      if (decision.kind === 'refuse') throw refused(decision);
      if (decision.kind === 'repeat-closed') return reply.code(200).send(await closedView(recorded!));
      const input = orderInput(body, {
        paymentTermsDays: decision.paymentTermsDays,
        requestFingerprint,
        submittedBy: request.actor.name,
      });
      try {
        const { result } = await within(timeouts.updateMs, () =>
          submitOrder(temporal, input, deps.taskQueue ? { taskQueue: deps.taskQueue } : {}),
        );
        if (result.created) reply.header('location', `/orders/${encodeURIComponent(body.orderId)}`);
        return reply.code(result.created ? 201 : 200).send(result.order);
      } catch (err) {
        // It closed between the facts above and the start (the server refuses to start the
        // ID again, or aborts the update as the run closes): decide again on the row as now.
        if (!(err instanceof WorkflowExecutionAlreadyStartedError || err instanceof WorkflowNotFoundError)) {
          throw fromTemporal(err);
        }
        const row = await getOrderRow(db, body.orderId);
        const again = await admit({ ...facts, recorded: row && recordedOrder(row), startRefused: true });
        if (again.kind === 'repeat-closed') return reply.code(200).send(await closedView(row!));
        // The rule never starts an order whose start was refused.
        throw again.kind === 'refuse' ? refused(again) : fromTemporal(err);
      }
    },
  );

  app.get(
    '/orders',
    {
      config: { roles: ['service', 'finance', 'operator'] },
      schema: {
        operationId: 'listOrders',
        summary: 'List orders, newest first',
        description: 'From the read model the workflows keep current. `overdue=true`: unpaid past the due date. Pass `nextCursor` as `cursor` for the next page.',
        tags: ['orders'],
        querystring: withExamples(listOrdersQuery, examples.list.query),
        response: {
          200: response(orderPage, 'One page of orders; `nextCursor` is null on the last.', examples.list[200]),
          ...problemResponses(examples.list.problems),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await listOrders(
        db,
        { status: q.status, customerId: q.customerId, overdue: q.overdue, dunningLevel: q.dunningLevel, asOfDate: utcDate(new Date()) },
        { limit: q.limit, ...(q.cursor ? { after: q.cursor } : {}) },
      );
      return {
        items: page.rows.map((r) => ({
          orderId: r.id,
          customerId: r.customerId,
          currency: r.currency,
          status: r.status,
          totalMinor: r.totalMinor,
          amountDueMinor: r.amountDueMinor,
          dunningLevel: r.dunningLevel,
          invoiceNumber: r.invoiceNumber,
          dueDate: r.dueDate,
          createdAt: r.createdAt.toISOString(),
          updatedAt: r.updatedAt.toISOString(),
          closedAt: r.closedAt?.toISOString() ?? null,
        })),
        nextCursor: page.next ? encodeCursor(page.next) : null,
      };
    },
  );

  app.get(
    '/orders/:orderId',
    {
      config: { roles: ['service', 'finance', 'operator'] },
      schema: {
        operationId: 'getOrder',
        summary: "An order's state",
        description: "Live from the order's workflow; a closed order answers with its final state.",
        tags: ['orders'],
        params: withExamples(orderIdParams, examples.get.params),
        response: {
          200: response(orderView, 'The order: its lines, credit, shipments, invoice, money and timeline.', examples.get[200]),
          ...problemResponses(examples.get.problems),
        },
      },
    },
    async (request) => {
      const { orderId } = request.params;
      // A closed order's final state is in the database: no worker needs to replay it.
      const row = await getOrderRow(db, orderId);
      if (row?.closedAt && row.finalView) return row.finalView;
      try {
        return await query(orderId);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        if (row?.finalView) return row.finalView;
        if (row) throw new DomainError('NOT_FOUND', `Order ${orderId} is ${row.status}; its details are no longer kept.`);
        throw new DomainError('NOT_FOUND', `Order ${orderId} does not exist.`);
      }
    },
  );

  app.post(
    '/orders/:orderId/shipments',
    {
      config: { roles: ['service'] },
      schema: {
        operationId: 'recordShipment',
        summary: 'Report a shipment',
        description:
          'A shipment that completes the order answers once the invoice is issued. The shipment ID is its idempotency key: a repeat with the same lines answers 200 with the order as it stands and changes nothing; the same ID with other lines is 409.',
        tags: ['orders'],
        params: withExamples(orderIdParams, examples.ship.params),
        body: withExamples(shipmentBody, examples.ship.body),
        response: {
          200: response(orderView, 'The order with the shipment recorded (and its invoice, once all has shipped), also for a repeat.', examples.ship[200]),
          ...problemResponses(examples.ship.problems),
        },
      },
    },
    async (request) => {
      const { orderId } = request.params;
      const shipment = { ...request.body, reportedBy: request.actor.name };
      return update(orderId, recordShipmentUpdate, shipment).catch(async (err: unknown) => {
        // A repeat after the order closed: the workflow is gone, its final view still answers.
        if (!(err instanceof DomainError && err.code === 'CONFLICT')) throw err;
        const view = (await getOrderRow(db, orderId))?.finalView;
        const identity = shipmentIdentity(view ? recordedShipmentLines(view, shipment.shipmentId) : undefined, shipment.shipmentId, shipment.lines);
        if (identity.kind === 'new') throw err;
        if (identity.kind === 'different-shipment') throw new DomainError('CONFLICT', identity.message);
        return view!;
      });
    },
  );

  app.post(
    '/orders/:orderId/payments',
    {
      config: { roles: ['service'] },
      schema: {
        operationId: 'recordPayment',
        summary: 'Report a payment received against the order',
        description:
          'A payment that settles the order answers once the order is reconciled and closed. The payment reference is the idempotency key: a repeat (same amount, currency and method) answers 200 with `duplicate: true` and changes nothing. The same reference with other details, or one already used for another order, is 409.',
        tags: ['orders'],
        params: withExamples(orderIdParams, examples.pay.params),
        body: withExamples(paymentBody, examples.pay.body),
        response: {
          200: response(paymentResult, 'A repeat of a payment already recorded: `duplicate` is true and nothing changes.', examples.pay[200]),
          201: response(paymentResult, 'Recorded: what it settled, any surplus as customer credit, and the order.', examples.pay[201]),
          ...problemResponses(examples.pay.problems),
        },
      },
    },
    async (request, reply) => {
      const { orderId } = request.params;
      const payment = {
        ...request.body,
        receivedAt: request.body.receivedAt ?? new Date().toISOString(),
        reportedBy: request.actor.name,
      };
      const known = await getPayment(db, payment.paymentReference);
      const identity = paymentIdentity(known, orderId, payment);
      if (identity.kind === 'other-order') throw new DomainError('CONFLICT', identity.apiMessage);
      const result = await update(orderId, recordPaymentUpdate, payment).catch(async (err: unknown) => {
        // A repeat after the order closed: the workflow is gone, the books still answer.
        const row = known ? await getOrderRow(db, orderId) : undefined;
        if (!known || !row?.finalView) throw err;
        if (identity.kind === 'different-payment') throw new DomainError('CONFLICT', identity.apiMessage);
        const view = row.finalView;
        return { duplicate: true, balanceMinor: view.balanceMinor, customerCreditMinor: view.customerCreditMinor, order: view };
      });
      return reply.code(result.duplicate ? 200 : 201).send(result);
    },
  );

  app.post(
    '/orders/:orderId/credit-decision',
    {
      config: { roles: ['finance'] },
      schema: {
        operationId: 'decideCredit',
        summary: 'Approve or reject an order held for credit',
        description: "The key's name is recorded as the decider.",
        tags: ['finance'],
        params: withExamples(orderIdParams, examples.decideCredit.params),
        body: withExamples(creditDecisionBody, examples.decideCredit.body),
        response: {
          200: response(orderView, 'The order after the decision: awaiting shipment, or rejected and closed.', examples.decideCredit[200]),
          ...problemResponses(examples.decideCredit.problems),
        },
      },
    },
    async (request) =>
      update(request.params.orderId, decideCreditUpdate, {
        decision: request.body.decision,
        decidedBy: request.actor.name,
        ...(request.body.comment ? { comment: request.body.comment } : {}),
      }),
  );

  app.post(
    '/orders/:orderId/disputes',
    {
      config: { roles: ['finance'] },
      schema: {
        operationId: 'openDispute',
        summary: 'Open a dispute over part or all of the invoice',
        description: 'Dunning pauses while a dispute is open (until `resumeOn`, when given).',
        tags: ['finance'],
        params: withExamples(orderIdParams, examples.openDispute.params),
        body: withExamples(disputeBody, examples.openDispute.body),
        response: {
          200: response(orderView, 'The order with the dispute open.', examples.openDispute[200]),
          ...problemResponses(examples.openDispute.problems),
        },
      },
    },
    async (request) =>
      update(request.params.orderId, openDisputeUpdate, { ...request.body, openedBy: request.actor.name }),
  );

  app.post(
    '/orders/:orderId/disputes/:disputeId/resolution',
    {
      config: { roles: ['finance'] },
      schema: {
        operationId: 'resolveDispute',
        summary: 'Resolve a dispute',
        description: 'Accepted: a credit note for the accepted amount. Rejected: the full amount stays due.',
        tags: ['finance'],
        params: withExamples(disputeParams, examples.resolveDispute.params),
        body: withExamples(resolutionBody, examples.resolveDispute.body),
        response: {
          200: response(orderView, 'The order with the dispute resolved (and its credit note, when accepted).', examples.resolveDispute[200]),
          ...problemResponses(examples.resolveDispute.problems),
        },
      },
    },
    async (request) =>
      update(request.params.orderId, resolveDisputeUpdate, {
        disputeId: request.params.disputeId,
        outcome: request.body.outcome,
        ...(request.body.acceptedMinor !== undefined ? { acceptedMinor: request.body.acceptedMinor } : {}),
        ...(request.body.comment ? { comment: request.body.comment } : {}),
        resolvedBy: request.actor.name,
      }),
  );

  app.post(
    '/orders/:orderId/cancel',
    {
      config: { roles: ['service', 'finance'] },
      schema: {
        operationId: 'cancelOrder',
        summary: 'Cancel an order before it is invoiced',
        description: 'What has shipped is still invoiced; after invoicing use a dispute and credit note instead.',
        tags: ['orders'],
        params: withExamples(orderIdParams, examples.cancel.params),
        body: withExamples(cancelBody, examples.cancel.body),
        response: {
          200: response(orderView, 'The order, cancelled (or, after a partial shipment, invoiced for what shipped).', examples.cancel[200]),
          ...problemResponses(examples.cancel.problems),
        },
      },
    },
    async (request) =>
      update(request.params.orderId, cancelOrderUpdate, {
        reason: request.body.reason,
        requestedBy: request.actor.name,
        requestedByRole: request.actor.role,
      }),
  );

  app.post(
    '/orders/:orderId/retry',
    {
      config: { roles: ['finance'] },
      schema: {
        operationId: 'retryOrder',
        summary: 'Retry an order stopped for a person',
        description:
          'For an order in `needs_attention` (a step failed in a way no retry fixes; `attention.reason` says which and why) or in `reconciliation_failed`: once the cause is repaired, the order tries that step again. Written to the audit trail with who asked. Answers once the order has gone on (or stopped again).',
        tags: ['finance'],
        params: withExamples(orderIdParams, examples.retry.params),
        body: withExamples(retryBody, examples.retry.body),
        response: {
          200: response(orderView, 'The order, gone on from where it stopped.', examples.retry[200]),
          ...problemResponses(examples.retry.problems),
        },
      },
    },
    async (request) =>
      update(request.params.orderId, retryOrderUpdate, {
        requestedBy: request.actor.name,
        ...(request.body.comment ? { comment: request.body.comment } : {}),
      }),
  );

  app.post(
    '/orders/:orderId/write-off',
    {
      config: { roles: ['finance'] },
      schema: {
        operationId: 'writeOff',
        summary: 'Write off what an order in collections still owes',
        description: 'Answers once the write-off is posted and the order reconciled.',
        tags: ['finance'],
        params: withExamples(orderIdParams, examples.writeOff.params),
        body: withExamples(writeOffBody, examples.writeOff.body),
        response: {
          200: response(orderView, 'The order, written off, reconciled and closed.', examples.writeOff[200]),
          ...problemResponses(examples.writeOff.problems),
        },
      },
    },
    async (request) =>
      update(request.params.orderId, writeOffUpdate, {
        reason: request.body.reason,
        approvedBy: request.actor.name,
      }),
  );
};

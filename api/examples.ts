// The examples /docs shows: one walk through the API, in EXAMPLE_SEQUENCE's order, that works
// on a fresh `npm start` (the README's tour, then the orders that need finance). Each route
// takes its examples from here into its zod schemas (`withExamples`, `response`), the document
// checks them against those schemas, and test/api/openapi-examples.test.ts sends them, in
// order, from /openapi.json. IDs are chosen so no step gets in another's way.
//
// Responses show the order on a made-up clock (23 November 2026) with the dev keys' names.
import type { z } from 'zod';
import { type ExampleStep, type Examples, type ProblemDoc, problemExample } from './openapi.js';
import type { changeTermsBody, createCustomerBody, customerDetail, customerParams, customerSchema } from './schemas/customers.js';
import type { orderIdParams } from './schemas/common.js';
import type {
  cancelBody,
  createOrderBody,
  creditDecisionBody,
  disputeBody,
  disputeParams,
  listOrdersQuery,
  orderPage,
  paymentBody,
  resolutionBody,
  shipmentBody,
  retryBody,
  writeOffBody,
} from './schemas/orders.js';
import type { OrderView, PaymentResult } from '../workflows/order/contract.js';
import { DEMO_ORDER_POLICY } from '../workflows/order/rules/policy.js';

type In<S extends z.ZodType> = Examples<z.input<S>>;
type Out<S extends z.ZodType> = Examples<z.output<S>>;

const one = <T>(name: string, summary: string, value: T): Examples<T> => ({ [name]: { summary, value } });

// ---- the sequence ------------------------------------------------------------------------

/** Days from the due date until a demo-policy order is handed to collections, and one more. */
const DEMO_COLLECTIONS_AFTER_DAYS =
  Math.max(0, ...DEMO_ORDER_POLICY.dunning.levels.map((l) => l.offsetDays)) + DEMO_ORDER_POLICY.dunning.collectionsAfterDays + 1;

export const EXAMPLE_SEQUENCE: readonly ExampleStep[] = [
  { operationId: 'health', example: 'up', status: 200, note: 'The process is up.' },
  { operationId: 'ready', example: 'ready', status: 200, note: 'Temporal and the database answer.' },
  { operationId: 'createCustomer', example: 'acme', status: 201, note: 'A customer: USD 5,000.00 limit, Net 30.' },
  { operationId: 'createOrder', example: 'po-1001', status: 201, note: 'Within the limit: approved at once.' },
  { operationId: 'recordShipment', example: 'po-1001', status: 200, note: 'All of it shipped: invoiced.' },
  { operationId: 'recordPayment', example: 'po-1001', status: 201, note: 'Paid in full: reconciled and closed.' },
  { operationId: 'getOrder', example: 'po-1001', status: 200, note: 'Its final state and timeline.' },
  {
    operationId: 'retryOrder',
    example: 'po-1001',
    status: 409,
    note: 'Nothing to retry: only an order stopped for a person (needs attention, or a failed reconciliation) can be.',
  },
  { operationId: 'listOrders', example: 'closed', status: 200, note: 'Closed orders, newest first.' },
  { operationId: 'createCustomer', example: 'small-shop', status: 201, note: 'A customer with a USD 100.00 limit.' },
  { operationId: 'createOrder', example: 'po-1002', status: 201, note: 'Over the limit: held for finance.' },
  { operationId: 'decideCredit', example: 'po-1002', status: 200, note: 'Finance approves the held order.' },
  { operationId: 'cancelOrder', example: 'po-1002', status: 200, note: 'Cancelled before it shipped.' },
  { operationId: 'createOrder', example: 'po-1003', status: 201, note: 'Demo policy, due on receipt: dunning starts at once.' },
  { operationId: 'recordShipment', example: 'po-1003', status: 200, note: 'Invoiced, due today.' },
  { operationId: 'getCustomer', example: 'acme', status: 200, note: 'Exposure and the open invoice.' },
  { operationId: 'changeCustomerTerms', example: 'acme', status: 200, note: 'Finance raises the limit.' },
  { operationId: 'openDispute', example: 'po-1003', status: 200, note: 'One item disputed: dunning pauses.' },
  { operationId: 'resolveDispute', example: 'po-1003', status: 200, note: 'Accepted: a credit note; dunning resumes.' },
  {
    operationId: 'writeOff',
    example: 'po-1003',
    status: 200,
    afterDays: DEMO_COLLECTIONS_AFTER_DAYS,
    note: `Written off and closed. Only an order in collections can be: po-1003 gets there ${DEMO_COLLECTIONS_AFTER_DAYS - 1} days after its due date, and until then this answers 409.`,
  },
];

// ---- problems ----------------------------------------------------------------------------

const problem = problemExample;

const invalid = (where: 'body' | 'params' | 'querystring', path: string, message: string) =>
  problem(`A ${where === 'body' ? 'field' : where === 'params' ? 'path parameter' : 'query parameter'} out of bounds`, 'VALIDATION_FAILED', `The ${where} is invalid.`, [
    { path: [where, path].filter(Boolean).join('.'), message },
  ]);

const MALFORMED = problem('A body that is not JSON', 'MALFORMED_JSON', "Body is not valid JSON but content-type is set to 'application/json'");
const BAD_ID = 'must be 1-100 letters, digits, ".", "_", ":" or "-", starting with a letter or digit';

/** 400 for a route with a body: one example of each code. */
const badBody = (path: string, message: string): ProblemDoc => ({
  examples: { VALIDATION_FAILED: invalid('body', path, message), MALFORMED_JSON: MALFORMED },
});
const badOrderId: ProblemDoc = { examples: { VALIDATION_FAILED: invalid('params', 'orderId', BAD_ID) } };

const TOO_LARGE: ProblemDoc = {
  examples: { PAYLOAD_TOO_LARGE: problem('A body over 256 KiB', 'PAYLOAD_TOO_LARGE', 'Request body is too large') },
};
const NOT_JSON: ProblemDoc = {
  examples: { UNSUPPORTED_MEDIA_TYPE: problem('A body sent as XML', 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type') },
};
const BUSY: ProblemDoc = {
  examples: {
    TOO_MANY_REQUESTS: problem('Too many requests for one order at once', 'TOO_MANY_REQUESTS', 'The order has too many requests in flight; the request may still take effect: read the order before repeating it (a payment or shipment repeats safely as it is).'),
  },
};
/** What every route behind a key can answer while the database is down (the key is read from it). */
const databaseDown = problem('The database is down', 'UNAVAILABLE', 'The database is not reachable; retry shortly.');
const DATABASE_UNAVAILABLE: ProblemDoc = { examples: { UNAVAILABLE: databaseDown } };
const temporalDown = problem('Temporal is down', 'UNAVAILABLE', 'Temporal is not reachable; retry shortly.');
const UPDATE_UNAVAILABLE: ProblemDoc = {
  examples: {
    UNAVAILABLE: problem(
      'No worker answered in time',
      'UNAVAILABLE',
      'The order did not answer in time (is Temporal reachable, and its worker running?); the request may still take effect: read the order before repeating it.',
    ),
    temporal: temporalDown,
    database: databaseDown,
  },
};
const READ_UNAVAILABLE: ProblemDoc = { examples: { UNAVAILABLE: temporalDown, database: databaseDown } };
const orderNotFound: ProblemDoc = {
  examples: { NOT_FOUND: problem('An order that does not exist', 'NOT_FOUND', 'Order po-9999 does not exist.') },
};
const conflict = (summary: string, detail: string, description?: string): ProblemDoc => ({
  ...(description ? { description } : {}),
  examples: {
    CONFLICT: problem(summary, 'CONFLICT', detail),
    closed: problem('An order that has closed', 'CONFLICT', 'Order po-1001 is closed and takes no more requests.'),
  },
});
const unprocessable = (summary: string, detail: string): ProblemDoc => ({
  examples: { UNPROCESSABLE: problem(summary, 'UNPROCESSABLE', detail) },
});

/** The statuses every update of a running order can answer with, besides its own. */
const UPDATE_PROBLEMS = { 404: orderNotFound, 413: TOO_LARGE, 415: NOT_JSON, 429: BUSY, 503: UPDATE_UNAVAILABLE };

// ---- the orders' states, as the responses show them --------------------------------------

const at = (time: string, day = '2026-11-23') => `${day}T${time}Z`;

const po1001Received: OrderView = {
  orderId: 'po-1001',
  customerId: 'acme',
  currency: 'USD',
  status: 'awaiting_shipment',
  lines: [{ lineId: '1', sku: 'WIDGET', description: 'Widget', quantity: 10, unitPriceMinor: 1500 }],
  shippedQuantities: { 1: 0 },
  credit: {
    outcome: 'approved',
    decidedBy: 'system',
    comment: null,
    reasons: [],
    exposureMinor: 18000,
    limitMinor: 500000,
    decidedAt: at('09:01:00.140'),
    escalationLevel: 0,
  },
  shipments: [],
  invoice: null,
  fees: [],
  payments: [],
  creditNotes: [],
  disputes: [],
  writtenOffMinor: 0,
  balanceMinor: 0,
  dunnableMinor: 0,
  customerCreditMinor: 0,
  dunningLevel: 0,
  nextStep: { at: at('09:01:00.140', '2026-12-07'), what: 'cancel what has not shipped' },
  closedReason: null,
  attention: null,
  timeline: [
    { at: at('09:01:00.120'), event: 'order received' },
    { at: at('09:01:00.140'), event: 'credit approved', detail: 'exposure USD 180.00 within limit' },
  ],
};

const po1001Invoiced: OrderView = {
  ...po1001Received,
  status: 'awaiting_payment',
  shippedQuantities: { 1: 10 },
  shipments: [{ shipmentId: 'shp-1', lines: [{ lineId: '1', quantity: 10 }], shippedAt: at('09:05:00.300') }],
  invoice: {
    invoiceNumber: 'INV-000001',
    issuedAt: at('09:05:00.300'),
    dueDate: '2026-12-23',
    lines: [{ lineId: '1', description: 'Widget', quantity: 10, unitPriceMinor: 1500, amountMinor: 15000 }],
    subtotalMinor: 15000,
    taxMinor: 3000,
    totalMinor: 18000,
  },
  balanceMinor: 18000,
  dunnableMinor: 18000,
  nextStep: { at: at('00:00:00.000', '2026-12-20'), what: 'friendly reminder' },
  timeline: [
    ...po1001Received.timeline,
    { at: at('09:05:00.320'), event: 'shipment recorded', detail: 'shp-1: 1×10' },
    { at: at('09:05:00.320'), event: 'invoice issued', detail: 'INV-000001: USD 180.00, due 2026-12-23' },
  ],
};

const po1001Closed: OrderView = {
  ...po1001Invoiced,
  status: 'closed',
  payments: [
    {
      paymentReference: 'pay-1001',
      amountMinor: 18000,
      method: 'bank_transfer',
      receivedAt: at('09:10:00.400'),
      appliedMinor: 18000,
      unappliedMinor: 0,
    },
  ],
  balanceMinor: 0,
  dunnableMinor: 0,
  nextStep: null,
  closedReason: 'paid and reconciled',
  timeline: [
    ...po1001Invoiced.timeline,
    { at: at('09:10:00.410'), event: 'payment received', detail: 'pay-1001: USD 180.00' },
    { at: at('09:10:00.410'), event: 'closed', detail: 'paid and reconciled' },
  ],
};

const po1002Held: OrderView = {
  ...po1001Received,
  orderId: 'po-1002',
  customerId: 'small-shop',
  status: 'credit_hold',
  lines: [{ lineId: '1', sku: 'WIDGET', description: 'Widget', quantity: 8, unitPriceMinor: 1500 }],
  credit: {
    outcome: 'held',
    decidedBy: null,
    comment: null,
    reasons: ['Exposure 12000 exceeds the credit limit 10000.'],
    exposureMinor: 12000,
    limitMinor: 10000,
    decidedAt: null,
    escalationLevel: 0,
  },
  nextStep: { at: at('13:16:00.110'), what: 'escalate the credit review' },
  timeline: [
    { at: at('09:16:00.100'), event: 'order received' },
    { at: at('09:16:00.110'), event: 'credit held', detail: 'Exposure 12000 exceeds the credit limit 10000.' },
  ],
};

const po1002Approved: OrderView = {
  ...po1002Held,
  status: 'awaiting_shipment',
  credit: { ...po1002Held.credit, outcome: 'approved', decidedBy: 'dev-finance', comment: 'long-standing customer', decidedAt: at('09:20:00.200') },
  nextStep: { at: at('09:20:00.210', '2026-12-07'), what: 'cancel what has not shipped' },
  timeline: [
    ...po1002Held.timeline,
    { at: at('09:20:00.200'), event: 'credit approved by dev-finance', detail: 'long-standing customer' },
  ],
};

const po1002Cancelled: OrderView = {
  ...po1002Approved,
  status: 'cancelled',
  nextStep: null,
  closedReason: 'cancelled by dev-service: customer withdrew the order',
  timeline: [
    ...po1002Approved.timeline,
    { at: at('09:25:00.300'), event: 'cancelled', detail: 'cancelled by dev-service: customer withdrew the order' },
  ],
};

const po1003Received: OrderView = {
  ...po1001Received,
  orderId: 'po-1003',
  lines: [{ lineId: '1', sku: 'GADGET', description: 'Gadget', quantity: 4, unitPriceMinor: 2500 }],
  credit: { ...po1001Received.credit, exposureMinor: 12000, decidedAt: at('09:30:00.110') },
  nextStep: { at: at('10:30:00.110'), what: 'cancel what has not shipped' },
  timeline: [
    { at: at('09:30:00.100'), event: 'order received' },
    { at: at('09:30:00.110'), event: 'credit approved', detail: 'exposure USD 120.00 within limit' },
  ],
};

const po1003Invoiced: OrderView = {
  ...po1003Received,
  status: 'awaiting_payment',
  shippedQuantities: { 1: 4 },
  shipments: [{ shipmentId: 'shp-2', lines: [{ lineId: '1', quantity: 4 }], shippedAt: at('09:35:00.200') }],
  invoice: {
    invoiceNumber: 'DEMO-000001',
    issuedAt: at('09:35:00.200'),
    dueDate: '2026-11-23',
    lines: [{ lineId: '1', description: 'Gadget', quantity: 4, unitPriceMinor: 2500, amountMinor: 10000 }],
    subtotalMinor: 10000,
    taxMinor: 2000,
    totalMinor: 12000,
  },
  balanceMinor: 12000,
  dunnableMinor: 12000,
  nextStep: { at: at('00:00:00.000'), what: 'dunning level 1 (friendly_reminder)' },
  timeline: [
    ...po1003Received.timeline,
    { at: at('09:35:00.210'), event: 'shipment recorded', detail: 'shp-2: 1×4' },
    { at: at('09:35:00.210'), event: 'invoice issued', detail: 'DEMO-000001: USD 120.00, due 2026-11-23' },
  ],
};

const dispute = {
  disputeId: 'dsp-1',
  amountMinor: 3000,
  reason: 'One gadget arrived damaged',
  openedBy: 'dev-finance',
  openedAt: at('09:45:00.300'),
  resumeOn: null,
  status: 'open' as const,
  acceptedMinor: 0,
  resolvedBy: null,
  resolvedAt: null,
  comment: null,
};

const po1003Disputed: OrderView = {
  ...po1003Invoiced,
  status: 'disputed',
  disputes: [dispute],
  dunnableMinor: 9000,
  dunningLevel: 1,
  nextStep: null,
  timeline: [
    ...po1003Invoiced.timeline,
    { at: at('09:35:00.250'), event: 'dunning level 1 (friendly_reminder) sent', detail: 'quoting USD 120.00' },
    { at: at('09:45:00.310'), event: 'dispute opened', detail: 'dsp-1: USD 30.00, One gadget arrived damaged (by dev-finance)' },
  ],
};

const po1003Resolved: OrderView = {
  ...po1003Disputed,
  status: 'awaiting_payment',
  creditNotes: [{ creditNoteId: 'CN-DEMO-000001-dsp-1', amountMinor: 3000, reason: 'One gadget arrived damaged', issuedAt: at('09:50:00.400') }],
  disputes: [
    { ...dispute, status: 'accepted', acceptedMinor: 3000, resolvedBy: 'dev-finance', resolvedAt: at('09:50:00.400'), comment: 'photo of the damage received' },
  ],
  balanceMinor: 9000,
  dunnableMinor: 9000,
  // The pause the dispute made moves the rest of the schedule on by as long.
  nextStep: { at: at('00:05:00.100', '2026-11-30'), what: 'dunning level 2 (second_notice)' },
  timeline: [
    ...po1003Disputed.timeline,
    { at: at('09:50:00.410'), event: 'dispute accepted', detail: 'dsp-1: credit note for USD 30.00 (by dev-finance)' },
  ],
};

const po1003WrittenOff: OrderView = {
  ...po1003Resolved,
  status: 'closed',
  fees: [{ level: 2, amountMinor: 1000, chargedAt: at('00:05:00.150', '2026-11-30') }],
  writtenOffMinor: 10000,
  balanceMinor: 0,
  dunnableMinor: 0,
  dunningLevel: 3,
  nextStep: null,
  closedReason: 'written off',
  timeline: [
    ...po1003Resolved.timeline,
    { at: at('00:05:00.150', '2026-11-30'), event: 'dunning level 2 (second_notice) sent', detail: 'quoting USD 100.00' },
    { at: at('00:05:00.150', '2026-12-14'), event: 'hand-off to collections sent', detail: 'quoting USD 100.00' },
    {
      at: at('10:00:00.500', '2026-12-15'),
      event: 'written off',
      detail: 'USD 100.00 approved by dev-finance: customer in administration; not worth pursuing',
    },
    { at: at('10:00:00.510', '2026-12-15'), event: 'closed', detail: 'written off' },
  ],
};

// ---- customers ---------------------------------------------------------------------------

const acmeBody = { customerId: 'acme', name: 'Acme Ltd', currency: 'USD', creditLimitMinor: 500000, paymentTermsDays: 30 };
const acme = { ...acmeBody, contactEmail: null, createdAt: at('09:00:00.000'), updatedAt: at('09:00:00.000') };

export const customerExamples = {
  create: {
    body: {
      acme: { summary: 'USD 5,000.00 limit, Net 30', value: acmeBody },
      'small-shop': {
        summary: 'USD 100.00 limit, Net 30',
        value: { customerId: 'small-shop', name: 'Small Shop', currency: 'USD', creditLimitMinor: 10000, paymentTermsDays: 30 },
      },
    } satisfies In<typeof createCustomerBody>,
    200: one('acme', 'The same body again: the customer as it is', acme) satisfies Out<typeof customerSchema>,
    201: one('acme', 'Created', acme) satisfies Out<typeof customerSchema>,
    problems: {
      400: badBody('creditLimitMinor', 'must not be negative'),
      409: { examples: { CONFLICT: problem('Another body under the same ID', 'CONFLICT', 'Customer acme already exists with another creditLimitMinor.') } },
      413: TOO_LARGE,
      415: NOT_JSON,
      503: DATABASE_UNAVAILABLE,
    },
  },
  get: {
    params: one('acme', 'Acme Ltd', { customerId: 'acme' }) satisfies In<typeof customerParams>,
    200: one('acme', 'Its exposure: the open invoice of po-1003', {
      ...acme,
      exposure: { openReceivablesMinor: 12000, openOrdersMinor: 0, exposureMinor: 12000, availableMinor: 488000, overdueMinor: 0 },
      openInvoices: [
        { invoiceNumber: 'DEMO-000001', orderId: 'po-1003', issuedAt: at('09:35:00.200'), dueDate: '2026-11-23', totalMinor: 12000, balanceMinor: 12000 },
      ],
    }) satisfies Out<typeof customerDetail>,
    problems: {
      400: { examples: { VALIDATION_FAILED: invalid('params', 'customerId', BAD_ID) } },
      404: { examples: { NOT_FOUND: problem('A customer that does not exist', 'NOT_FOUND', 'Customer nobody does not exist.') } },
      503: DATABASE_UNAVAILABLE,
    },
  },
  changeTerms: {
    params: one('acme', 'Acme Ltd', { customerId: 'acme' }) satisfies In<typeof customerParams>,
    body: one('acme', 'Raise the limit to USD 7,500.00', { creditLimitMinor: 750000 }) satisfies In<typeof changeTermsBody>,
    200: one('acme', 'The new terms', { ...acme, creditLimitMinor: 750000, updatedAt: at('09:40:00.000') }) satisfies Out<typeof customerSchema>,
    problems: {
      400: { examples: { VALIDATION_FAILED: invalid('body', '', 'give creditLimitMinor, paymentTermsDays or both'), MALFORMED_JSON: MALFORMED } },
      404: { examples: { NOT_FOUND: problem('A customer that does not exist', 'NOT_FOUND', 'Customer nobody does not exist.') } },
      413: TOO_LARGE,
      415: NOT_JSON,
      503: DATABASE_UNAVAILABLE,
    },
  },
};

// ---- orders ------------------------------------------------------------------------------

const po1001Body = {
  orderId: 'po-1001',
  customerId: 'acme',
  currency: 'USD',
  taxRateBps: 2000,
  lines: [{ lineId: '1', sku: 'WIDGET', description: 'Widget', quantity: 10, unitPriceMinor: 1500 }],
};
const orderParams = (orderId: string, summary: string) => one(orderId, summary, { orderId }) satisfies In<typeof orderIdParams>;

export const orderExamples = {
  create: {
    body: {
      'po-1001': { summary: '10 widgets at USD 15.00 plus 20% tax, for acme', value: po1001Body },
      'po-1002': {
        summary: 'USD 120.00 for small-shop: over its limit',
        value: {
          orderId: 'po-1002',
          customerId: 'small-shop',
          currency: 'USD',
          lines: [{ lineId: '1', sku: 'WIDGET', description: 'Widget', quantity: 8, unitPriceMinor: 1500 }],
        },
      },
      'po-1003': {
        summary: 'Demo policy, due on receipt: 4 gadgets for acme',
        value: {
          orderId: 'po-1003',
          customerId: 'acme',
          currency: 'USD',
          taxRateBps: 2000,
          paymentTermsDays: 0,
          policy: 'demo',
          lines: [{ lineId: '1', sku: 'GADGET', description: 'Gadget', quantity: 4, unitPriceMinor: 2500 }],
        },
      },
    } satisfies In<typeof createOrderBody>,
    200: one('po-1001', 'The same body again: the order as it is', po1001Received),
    201: {
      'po-1001': { summary: 'Approved: awaiting shipment', value: po1001Received },
      'po-1002': { summary: 'Held for a credit decision', value: po1002Held },
    } satisfies Examples<OrderView>,
    problems: {
      400: badBody('lines.0.quantity', 'must be at least 1'),
      404: {
        description: '`NOT_FOUND`: the same body again for an order that closed so long ago that its details are no longer kept.',
        examples: { NOT_FOUND: problem('A closed order no longer kept', 'NOT_FOUND', 'Order po-1001 is closed; its details are no longer kept.') },
      },
      409: { examples: { CONFLICT: problem('Another body under the same order ID', 'CONFLICT', 'Order po-1001 already exists with different details.') } },
      413: TOO_LARGE,
      415: NOT_JSON,
      422: {
        examples: {
          UNPROCESSABLE: problem('A customer that does not exist', 'UNPROCESSABLE', 'Customer nobody does not exist; create it first.'),
          currency: problem('Another currency than the customer', 'UNPROCESSABLE', 'Customer acme is billed in USD; the order is in EUR.'),
          lines: problem("Lines that fit the schema but not together", 'UNPROCESSABLE', "The order's lines cannot be taken: line IDs must be unique.", [
            { path: 'body.lines', message: 'line IDs must be unique' },
          ]),
        },
      },
      429: BUSY,
      503: UPDATE_UNAVAILABLE,
    },
  },
  list: {
    query: one('closed', 'Closed orders', { status: 'closed' }) satisfies In<typeof listOrdersQuery>,
    200: one('closed', 'One page: po-1001', {
      items: [
        {
          orderId: 'po-1001',
          customerId: 'acme',
          currency: 'USD',
          status: 'closed',
          totalMinor: 18000,
          amountDueMinor: 0,
          dunningLevel: 0,
          invoiceNumber: 'INV-000001',
          dueDate: '2026-12-23',
          createdAt: at('09:01:00.110'),
          updatedAt: at('09:10:00.420'),
          closedAt: at('09:10:00.410'),
        },
      ],
      nextCursor: null,
    }) satisfies Out<typeof orderPage>,
    problems: {
      400: {
        examples: {
          VALIDATION_FAILED: invalid('querystring', 'limit', 'must be a whole number from 1 to 100'),
          cursor: { ...invalid('querystring', 'cursor', "must be a page's nextCursor, such as 1795424460110000_po-1001"), summary: 'Not a cursor' },
        },
      },
      503: DATABASE_UNAVAILABLE,
    },
  },
  get: {
    params: orderParams('po-1001', 'po-1001'),
    200: one('po-1001', 'Paid and closed', po1001Closed) satisfies Examples<OrderView>,
    problems: { 400: badOrderId, 404: orderNotFound, 503: READ_UNAVAILABLE },
  },
  ship: {
    params: { ...orderParams('po-1001', 'po-1001'), ...orderParams('po-1003', 'po-1003') },
    body: {
      'po-1001': { summary: 'All 10 widgets', value: { shipmentId: 'shp-1', lines: [{ lineId: '1', quantity: 10 }] } },
      'po-1003': { summary: 'All 4 gadgets', value: { shipmentId: 'shp-2', lines: [{ lineId: '1', quantity: 4 }] } },
    } satisfies In<typeof shipmentBody>,
    200: one('po-1001', 'Shipped in full: invoiced', po1001Invoiced) satisfies Examples<OrderView>,
    problems: {
      ...UPDATE_PROBLEMS,
      400: badBody('lines', 'Too small: expected array to have >=1 items'),
      409: conflict(
        'Shipped already in full',
        'the order is awaiting_payment: it takes no shipments',
        'A new shipment ID once all has shipped, or an ID already recorded with other lines (`shipment shp-1 was already recorded with other lines`).',
      ),
      422: unprocessable('A line the order does not have', 'line 9 is not on this order'),
    },
  },
  pay: {
    params: orderParams('po-1001', 'po-1001'),
    body: one('po-1001', 'The invoice in full, by bank transfer', {
      paymentReference: 'pay-1001',
      amountMinor: 18000,
      currency: 'USD',
      method: 'bank_transfer',
    }) satisfies In<typeof paymentBody>,
    200: one('duplicate', 'The same payment again: nothing changes', {
      duplicate: true,
      balanceMinor: 0,
      customerCreditMinor: 0,
      order: po1001Closed,
    }) satisfies Examples<PaymentResult>,
    201: one('po-1001', 'Settled: reconciled and closed', {
      duplicate: false,
      balanceMinor: 0,
      customerCreditMinor: 0,
      order: po1001Closed,
    }) satisfies Examples<PaymentResult>,
    problems: {
      ...UPDATE_PROBLEMS,
      400: badBody('amountMinor', 'must be greater than zero'),
      409: conflict('Before the invoice', 'the order has no invoice to pay yet'),
      422: unprocessable('Another currency than the invoice', 'payment currency EUR does not match the invoice currency USD'),
    },
  },
  decideCredit: {
    params: orderParams('po-1002', 'po-1002, held'),
    body: one('po-1002', 'Approve', { decision: 'approve', comment: 'long-standing customer' }) satisfies In<typeof creditDecisionBody>,
    200: one('po-1002', 'Approved: awaiting shipment', po1002Approved) satisfies Examples<OrderView>,
    problems: {
      ...UPDATE_PROBLEMS,
      400: badBody('decision', 'Invalid option: expected one of "approve"|"reject"'),
      409: conflict('No decision pending', 'no credit decision is pending (order is awaiting_shipment)'),
    },
  },
  cancel: {
    params: orderParams('po-1002', 'po-1002, approved, not shipped'),
    body: one('po-1002', 'The customer withdrew', { reason: 'customer withdrew the order' }) satisfies In<typeof cancelBody>,
    200: one('po-1002', 'Cancelled', po1002Cancelled) satisfies Examples<OrderView>,
    problems: {
      ...UPDATE_PROBLEMS,
      400: badBody('reason', 'must not be empty'),
      409: conflict('Invoiced already', 'an order that is awaiting_payment cannot be cancelled; after invoicing use a credit note'),
    },
  },
  openDispute: {
    params: orderParams('po-1003', 'po-1003, invoiced'),
    body: one('po-1003', 'One of four gadgets, with its tax', {
      disputeId: 'dsp-1',
      amountMinor: 3000,
      reason: 'One gadget arrived damaged',
    }) satisfies In<typeof disputeBody>,
    200: one('po-1003', 'Disputed: dunning paused', po1003Disputed) satisfies Examples<OrderView>,
    problems: {
      ...UPDATE_PROBLEMS,
      400: badBody('reason', 'must not be empty'),
      409: conflict('Not invoiced yet', 'the order is awaiting_shipment: there is no open invoice to dispute'),
      422: unprocessable('More than is owed', 'amountMinor 99999 exceeds the undisputed balance 12000'),
    },
  },
  resolveDispute: {
    params: one('po-1003', 'dsp-1 of po-1003', { orderId: 'po-1003', disputeId: 'dsp-1' }) satisfies In<typeof disputeParams>,
    body: one('po-1003', 'Accepted in full', { outcome: 'accepted', comment: 'photo of the damage received' }) satisfies In<typeof resolutionBody>,
    200: one('po-1003', 'Accepted: a credit note, dunning resumes', po1003Resolved) satisfies Examples<OrderView>,
    problems: {
      ...UPDATE_PROBLEMS,
      400: badBody('outcome', 'Invalid option: expected one of "accepted"|"rejected"'),
      404: {
        examples: {
          NOT_FOUND: problem('A dispute the order does not have', 'NOT_FOUND', 'dispute dsp-9 does not exist'),
          order: orderNotFound.examples.NOT_FOUND!,
        },
      },
      409: conflict('Resolved already', 'dispute dsp-1 is already accepted'),
      422: unprocessable('More than was disputed', 'acceptedMinor must be a whole number from 1 to the disputed 3000'),
    },
  },
  retry: {
    params: orderParams('po-1001', 'po-1001'),
    body: one('po-1001', 'Repaired', { comment: 'the customer record was fixed; try again' }) satisfies In<typeof retryBody>,
    200: one('po-1001', 'Retried: reconciled and closed', po1001Closed) satisfies Examples<OrderView>,
    problems: {
      ...UPDATE_PROBLEMS,
      400: badBody('comment', 'must not contain control characters'),
      409: conflict('Nothing to retry', 'only an order that needs attention or failed reconciliation can be retried (order is closed)'),
    },
  },
  writeOff: {
    params: orderParams('po-1003', 'po-1003, in collections'),
    body: one('po-1003', 'Not worth pursuing', { reason: 'customer in administration; not worth pursuing' }) satisfies In<typeof writeOffBody>,
    200: one('po-1003', 'Written off and closed', po1003WrittenOff) satisfies Examples<OrderView>,
    problems: {
      ...UPDATE_PROBLEMS,
      400: badBody('reason', 'must not be empty'),
      409: conflict('Not in collections yet', 'only an order in collections can be written off (order is awaiting_payment)'),
    },
  },
};

// ---- operations --------------------------------------------------------------------------

export const healthExamples = {
  health: one('up', 'Up', { status: 'ok' as const }),
  ready: one('ready', 'Ready', {
    status: 'ready' as const,
    checks: { temporal: { ok: true }, database: { ok: true } },
  }),
  notReady: {
    ...one('not-ready', 'Temporal unreachable', {
      status: 'not_ready' as const,
      checks: {
        temporal: { ok: false, error: '14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:7233' },
        database: { ok: true },
      },
    }),
    ...one('database-down', 'The database unreachable', {
      status: 'not_ready' as const,
      checks: { temporal: { ok: true }, database: { ok: false, error: 'connect ECONNREFUSED 127.0.0.1:5432' } },
    }),
  },
};

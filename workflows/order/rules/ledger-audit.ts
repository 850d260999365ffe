// Ledger audit rules: what must hold between the journal, the receivable's own rows (invoice,
// fees, payments, credit notes, write-offs), the order's row and the workflow's view, stated
// as checks that name what disagrees. Pure: the queries that feed them are in
// db/queries/ledger-audit.ts, the run that ties them together in workers/audit/ledger.ts.
//
// What is compared, per order with an invoice:
//   books    = invoice total + fees not waived − applied payments − credit notes − write-offs
//   ledger   = the order's accounts-receivable postings, debits − credits
//   row      = orders.amount_due_minor (0 once the order is closed, cancelled or rejected)
//   workflow = getOrder's balanceMinor while the workflow answers; the row's final view after
// and they must all be equal. One exception, for the row only: right after a dunning notice
// the notice's activity has written the amount it quoted (the balance less what is under open
// dispute) to the row, and the workflow writes the balance at its next wait. A row that holds
// exactly what the invoice's latest notice quoted, when that is what dunning may chase now,
// is accepted.
import type { OrderStatus } from '../contract.js';
import { formatInvoiceNumber } from './invoice.js';
import { dunnableMinor, reconcile } from './receivable.js';
import { isClosedStatus } from './status.js';

export type FindingCode =
  // 1. journal entries balance
  | 'unbalanced-entry'
  | 'incomplete-entry'
  // 2. books, ledger, row and workflow agree
  | 'ledger-receivable'
  | 'row-amount-due'
  | 'row-invoice-number'
  | 'workflow-balance'
  | 'final-view-balance'
  // 3. invoice numbers gapless per series
  | 'invoice-number-gap'
  | 'invoice-number-format'
  | 'invoice-series-counter'
  // 4. a payment reference applied once
  | 'payment-applied-twice'
  | 'payment-applied-elsewhere'
  | 'payment-split'
  | 'payment-posted-twice'
  | 'payment-not-posted'
  | 'payment-posting'
  | 'stray-payment-entry'
  // 5. closed orders and closed rows
  | 'closed-without-closed-at'
  | 'closed-at-on-open-order'
  | 'closed-order-open-invoice'
  | 'closed-invoice-open-order'
  | 'closed-invoice-balance';

export interface Finding {
  code: FindingCode;
  /** What is wrong, by its ID: `order <id> (invoice <number>)`, `entry <id>`, `series <s>`, `payment <ref>`. */
  subject: string;
  /** The figures that disagree. */
  detail: string;
}

/** One line per finding, as the audit prints it. */
export function findingLine(finding: Finding): string {
  return `${finding.code} ${finding.subject}: ${finding.detail}`;
}

/** The same problem in two runs of the audit: same check, same subject (figures may have moved). */
export function findingKey(finding: Finding): string {
  return `${finding.code} ${finding.subject}`;
}

/**
 * The findings of a second run that the first run had too. On live books a payment or a
 * notice may be half-written (the books before the ledger, the ledger before the row): what
 * is still wrong a moment later is what an operator needs to see.
 */
export function confirmedFindings(first: readonly Finding[], second: readonly Finding[]): Finding[] {
  const seen = new Set(first.map(findingKey));
  return second.filter((finding) => seen.has(findingKey(finding)));
}

// ---- 1. journal entries ------------------------------------------------------------------

export interface EntryTotals {
  entryId: number;
  entryKey: string;
  kind: string;
  orderId: string;
  lineCount: number;
  debitsMinor: number;
  creditsMinor: number;
}

export function checkEntry(entry: EntryTotals): Finding[] {
  const subject = `entry ${entry.entryId} (${entry.kind} ${entry.entryKey}, order ${entry.orderId})`;
  const findings: Finding[] = [];
  if (entry.lineCount < 2) {
    findings.push({ code: 'incomplete-entry', subject, detail: `${entry.lineCount} line(s), an entry has at least two` });
  }
  if (entry.debitsMinor !== entry.creditsMinor) {
    findings.push({ code: 'unbalanced-entry', subject, detail: `debits ${entry.debitsMinor}, credits ${entry.creditsMinor}` });
  }
  return findings;
}

// ---- 2 and 5. an order's receivable and its row --------------------------------------------

/** Accounts-receivable postings of one order (debits − credits), by journal kind. */
export type ReceivableByKind = Partial<Record<'invoice' | 'fee' | 'payment' | 'credit_note' | 'write_off', number>>;

export interface InvoiceBooks {
  invoiceNumber: string;
  status: 'open' | 'closed' | 'written_off';
  totalMinor: number;
  /** Fees not waived. */
  feesMinor: number;
  appliedPaymentsMinor: number;
  creditNotesMinor: number;
  writtenOffMinor: number;
  /** Amounts under disputes still open. */
  openDisputedMinor: number;
  /** What the invoice's latest dunning notice quoted; null when none went out. */
  lastQuotedMinor: number | null;
}

export interface OrderBooks {
  orderId: string;
  workflowId: string;
  customerId: string;
  currency: string;
  status: OrderStatus;
  closedAt: Date | null;
  amountDueMinor: number;
  /** The invoice number the order's row names. */
  rowInvoiceNumber: string | null;
  /** The balance in the final view the row keeps once closed; null when it keeps none. */
  finalViewBalanceMinor: number | null;
  invoice: InvoiceBooks | null;
  receivable: ReceivableByKind;
}

/** What the books say is still owed: the invoice's side minus what settled it; 0 with no invoice. */
export function booksBalanceMinor(order: Pick<OrderBooks, 'invoice'>): number {
  if (!order.invoice) return 0;
  const invoice = order.invoice;
  return reconcile({
    invoiceTotalMinor: invoice.totalMinor,
    feesMinor: invoice.feesMinor,
    appliedPaymentsMinor: invoice.appliedPaymentsMinor,
    creditNotesMinor: invoice.creditNotesMinor,
    writtenOffMinor: invoice.writtenOffMinor,
  }).differenceMinor;
}

export function ledgerReceivableMinor(order: Pick<OrderBooks, 'receivable'>): number {
  return Object.values(order.receivable).reduce((sum, n) => sum + (n ?? 0), 0);
}

function orderSubject(order: Pick<OrderBooks, 'orderId' | 'invoice'>): string {
  return order.invoice ? `order ${order.orderId} (invoice ${order.invoice.invoiceNumber})` : `order ${order.orderId}`;
}

/** Each part of the receivable as the books and as the ledger have it, where the two differ. */
function receivableParts(order: OrderBooks): string[] {
  const invoice = order.invoice;
  const receivable = order.receivable;
  const parts: Array<[string, number, number]> = [
    ['invoice', invoice?.totalMinor ?? 0, receivable.invoice ?? 0],
    ['fees', invoice?.feesMinor ?? 0, receivable.fee ?? 0],
    ['payments', invoice?.appliedPaymentsMinor ?? 0, -(receivable.payment ?? 0)],
    ['credit notes', invoice?.creditNotesMinor ?? 0, -(receivable.credit_note ?? 0)],
    ['write-offs', invoice?.writtenOffMinor ?? 0, -(receivable.write_off ?? 0)],
  ];
  return parts.filter(([, books, ledger]) => books !== ledger).map(([what, books, ledger]) => `${what}: books ${books}, ledger ${ledger}`);
}

/** Everything the database alone can say about one order: checks 2 (without the workflow) and 5. */
export function checkOrder(order: OrderBooks): Finding[] {
  const findings: Finding[] = [];
  const subject = orderSubject(order);
  const closed = isClosedStatus(order.status);
  const books = booksBalanceMinor(order);
  const noInvoice = order.invoice ? '' : ' (no invoice)';

  const ledger = ledgerReceivableMinor(order);
  if (ledger !== books) {
    const notes = [...(order.invoice ? [] : ['no invoice']), ...receivableParts(order)];
    findings.push({
      code: 'ledger-receivable',
      subject,
      detail: `ledger receivable ${ledger}, books balance ${books}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`,
    });
  }

  if (closed) {
    if (order.amountDueMinor !== 0) {
      findings.push({ code: 'row-amount-due', subject, detail: `row amount due ${order.amountDueMinor}, expected 0 for a ${order.status} order` });
    }
  } else if (order.amountDueMinor !== books) {
    const quoted = order.invoice?.lastQuotedMinor === order.amountDueMinor ? ' (what the latest dunning notice quoted)' : '';
    findings.push({ code: 'row-amount-due', subject, detail: `row amount due ${order.amountDueMinor}${quoted}, books balance ${books}${noInvoice}` });
  }

  const invoiceNumber = order.invoice?.invoiceNumber ?? null;
  if (order.rowInvoiceNumber !== invoiceNumber) {
    findings.push({
      code: 'row-invoice-number',
      subject,
      detail: `row names invoice ${order.rowInvoiceNumber ?? 'none'}, the order's invoice is ${invoiceNumber ?? 'none'}`,
    });
  }

  if (order.finalViewBalanceMinor !== null && order.finalViewBalanceMinor !== books) {
    findings.push({ code: 'final-view-balance', subject, detail: `final view balance ${order.finalViewBalanceMinor}, books balance ${books}${noInvoice}` });
  }

  if (closed && order.closedAt === null) {
    findings.push({ code: 'closed-without-closed-at', subject, detail: `status ${order.status}, closed_at not set` });
  }
  if (!closed && order.closedAt !== null) {
    findings.push({ code: 'closed-at-on-open-order', subject, detail: `closed_at ${order.closedAt.toISOString()}, status ${order.status}` });
  }
  if (order.invoice) {
    const open = order.invoice.status === 'open';
    if (closed && open) {
      findings.push({ code: 'closed-order-open-invoice', subject, detail: `status ${order.status}, invoice status open` });
    }
    if (!open && !closed) {
      findings.push({ code: 'closed-invoice-open-order', subject, detail: `invoice status ${order.invoice.status}, status ${order.status}` });
    }
    if (!open && books !== 0) {
      findings.push({ code: 'closed-invoice-balance', subject, detail: `invoice status ${order.invoice.status}, books balance ${books}, expected 0` });
    }
  }
  return findings;
}

/** Check 2 against the workflow: the balance its getOrder query answers. */
export function checkWorkflowBalance(order: OrderBooks, workflowBalanceMinor: number): Finding[] {
  const books = booksBalanceMinor(order);
  if (workflowBalanceMinor === books) return [];
  return [{ code: 'workflow-balance', subject: orderSubject(order), detail: `workflow balance ${workflowBalanceMinor}, books balance ${books}` }];
}

/** Whose workflow view to ask for: a live order that has an invoice (a closed one keeps its final view). */
export function needsWorkflowView(order: OrderBooks): boolean {
  return order.invoice !== null && !isClosedStatus(order.status);
}

// ---- 3. invoice numbers ------------------------------------------------------------------

export interface SeriesCounter {
  series: string;
  /** The last number the series handed out. */
  lastNumber: number;
}

export interface IssuedNumber {
  series: string;
  sequence: number;
  invoiceNumber: string;
}

function missing(series: string, from: number, to: number): string {
  const count = to - from + 1;
  return count === 1
    ? `${formatInvoiceNumber(series, from)} missing`
    : `${formatInvoiceNumber(series, from)} to ${formatInvoiceNumber(series, to)} missing (${count} numbers)`;
}

/**
 * Walks each series' invoices in ascending sequence, page by page, and finds every number the
 * series skipped, every invoice whose number is not its series and sequence, and a counter
 * that stands elsewhere than the last invoice.
 */
export class InvoiceNumbering {
  private readonly lastSeen = new Map<string, number>();
  private readonly counters: ReadonlyMap<string, number>;

  constructor(counters: readonly SeriesCounter[]) {
    this.counters = new Map(counters.map((c) => [c.series, c.lastNumber]));
    for (const c of counters) this.lastSeen.set(c.series, 0);
  }

  /** The next invoice of its series; sequences of a series must come in ascending order. */
  add(n: IssuedNumber): Finding[] {
    const findings: Finding[] = [];
    const before = this.lastSeen.get(n.series) ?? 0;
    if (n.sequence <= before) throw new RangeError(`series ${n.series}: sequence ${n.sequence} after ${before}, not ascending`);
    if (n.sequence > before + 1) {
      const after = before === 0 ? 'first invoice' : `after ${formatInvoiceNumber(n.series, before)}`;
      findings.push({
        code: 'invoice-number-gap',
        subject: `series ${n.series}`,
        detail: `${after} comes ${n.invoiceNumber}: ${missing(n.series, before + 1, n.sequence - 1)}`,
      });
    }
    const expected = formatInvoiceNumber(n.series, n.sequence);
    if (n.invoiceNumber !== expected) {
      findings.push({
        code: 'invoice-number-format',
        subject: `invoice ${n.invoiceNumber}`,
        detail: `numbered ${n.invoiceNumber}, series ${n.series} sequence ${n.sequence} is ${expected}`,
      });
    }
    this.lastSeen.set(n.series, n.sequence);
    return findings;
  }

  /** Once every invoice was added: numbers handed out after the last invoice, or a counter behind it. */
  finish(): Finding[] {
    const findings: Finding[] = [];
    for (const [series, last] of [...this.lastSeen].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const counter = this.counters.get(series) ?? 0;
      const lastInvoice = last === 0 ? 'no invoice' : `last invoice ${formatInvoiceNumber(series, last)}`;
      if (counter > last) {
        findings.push({
          code: 'invoice-number-gap',
          subject: `series ${series}`,
          detail: `last number handed out ${counter}, ${lastInvoice}: ${missing(series, last + 1, counter)}`,
        });
      } else if (counter < last) {
        findings.push({
          code: 'invoice-series-counter',
          subject: `series ${series}`,
          detail: `last number handed out ${counter}, ${lastInvoice}: the next invoice would take a number already used`,
        });
      }
    }
    return findings;
  }
}

// ---- 4. payment references ---------------------------------------------------------------

export interface PaymentBooks {
  paymentReference: string;
  orderId: string;
  amountMinor: number;
  /** The part kept as customer credit (unapplied cash). */
  customerCreditMinor: number;
  /** Where it was applied, with the order of each invoice. */
  applications: Array<{ invoiceNumber: string; orderId: string; appliedMinor: number }>;
  /** The journal entry under the key the order's workflow posts it with; null when there is none. */
  posting: { entryId: number; cashMinor: number; receivableMinor: number; customerCreditMinor: number } | null;
}

/** The entry key a payment is posted under: the order's workflow ID and the step. */
export function paymentEntryKey(workflowId: string, paymentReference: string): string {
  return `${workflowId}:journal:payment:${paymentReference}`;
}

export function checkPayment(payment: PaymentBooks): Finding[] {
  const findings: Finding[] = [];
  const subject = `payment ${payment.paymentReference} (order ${payment.orderId})`;
  const applied = payment.applications.reduce((sum, a) => sum + a.appliedMinor, 0);
  if (payment.applications.length > 1) {
    const where = payment.applications.map((a) => `${a.invoiceNumber} (order ${a.orderId}) ${a.appliedMinor}`).join(', ');
    findings.push({ code: 'payment-applied-twice', subject, detail: `applied ${payment.applications.length} times: ${where}` });
  }
  for (const a of payment.applications.filter((a) => a.orderId !== payment.orderId)) {
    findings.push({
      code: 'payment-applied-elsewhere',
      subject,
      detail: `recorded for order ${payment.orderId}, applied to invoice ${a.invoiceNumber} of order ${a.orderId}`,
    });
  }
  if (applied + payment.customerCreditMinor !== payment.amountMinor) {
    findings.push({
      code: 'payment-split',
      subject,
      detail: `amount ${payment.amountMinor}, applied ${applied} + customer credit ${payment.customerCreditMinor} = ${applied + payment.customerCreditMinor}`,
    });
  }
  if (!payment.posting) {
    findings.push({ code: 'payment-not-posted', subject, detail: `amount ${payment.amountMinor} recorded, no journal entry posts it` });
  } else {
    const differences: string[] = [];
    if (payment.posting.cashMinor !== payment.amountMinor) differences.push(`ledger cash ${payment.posting.cashMinor}, payment amount ${payment.amountMinor}`);
    if (payment.posting.receivableMinor !== applied) differences.push(`ledger receivable credited ${payment.posting.receivableMinor}, applied ${applied}`);
    if (payment.posting.customerCreditMinor !== payment.customerCreditMinor) {
      differences.push(`ledger customer credit ${payment.posting.customerCreditMinor}, customer credit ${payment.customerCreditMinor}`);
    }
    if (differences.length > 0) {
      findings.push({ code: 'payment-posting', subject: `${subject} entry ${payment.posting.entryId}`, detail: differences.join('; ') });
    }
  }
  return findings;
}

/** A payment journal entry that is not the one its payment's order posts under its own key. */
export interface StrayPaymentEntry {
  entryId: number;
  entryKey: string;
  orderId: string;
  /** The reference its key names (after `:journal:payment:`); null when it names none. */
  paymentReference: string | null;
  /** The payment recorded under that reference, if any, and its own posting. */
  payment: { orderId: string; postingEntryId: number | null } | null;
}

export function checkStrayPaymentEntry(stray: StrayPaymentEntry): Finding[] {
  const described = `entry ${stray.entryId} of order ${stray.orderId} (key ${stray.entryKey})`;
  if (stray.paymentReference === null) {
    return [{ code: 'stray-payment-entry', subject: `entry ${stray.entryId}`, detail: `${described} posts a payment but its key names no payment reference` }];
  }
  if (!stray.payment) {
    return [{ code: 'stray-payment-entry', subject: `entry ${stray.entryId}`, detail: `${described} posts payment ${stray.paymentReference}, which was never recorded` }];
  }
  const subject = `payment ${stray.paymentReference} (order ${stray.payment.orderId})`;
  if (stray.payment.postingEntryId !== null) {
    return [{ code: 'payment-posted-twice', subject, detail: `posted by entry ${stray.payment.postingEntryId} and again by ${described}` }];
  }
  return [{ code: 'stray-payment-entry', subject: `entry ${stray.entryId}`, detail: `${described} posts payment ${stray.paymentReference} of order ${stray.payment.orderId} under another order's key` }];
}

// ---- the summary -------------------------------------------------------------------------

export interface AuditCounts {
  orders: number;
  invoicedOrders: number;
  journalEntries: number;
  invoiceSeries: number;
  invoices: number;
  payments: number;
  /** Null when no workflow views were asked for. */
  workflows: { compared: number; gone: number; silent: number } | null;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * The audit's last line: clean or how many findings, and what it looked at; with `unconfirmed`,
 * how many findings a second run did not repeat (orders in motion, not reported).
 */
export function summaryLine(findings: readonly Finding[], c: AuditCounts, unconfirmed = 0): string {
  const looked =
    `${plural(c.orders, 'order')} (${c.invoicedOrders} invoiced), ${plural(c.journalEntries, 'journal entry', 'journal entries')}, ` +
    `${plural(c.invoiceSeries, 'invoice series', 'invoice series')} (${plural(c.invoices, 'invoice')}), ${plural(c.payments, 'payment')}`;
  const workflows = c.workflows
    ? `, ${plural(c.workflows.compared, 'workflow view')} compared` +
      (c.workflows.gone + c.workflows.silent > 0
        ? ` (${c.workflows.gone} gone, ${c.workflows.silent} not answering, not compared)`
        : '')
    : '';
  const verdict = findings.length === 0 ? 'clean' : plural(findings.length, 'finding');
  const moving = unconfirmed > 0 ? `; ${plural(unconfirmed, 'finding')} not repeated a moment later (orders in motion) left out` : '';
  return `ledger audit: ${verdict}: ${looked}${workflows}${moving}`;
}

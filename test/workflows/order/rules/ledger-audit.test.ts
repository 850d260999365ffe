import { describe, expect, it } from 'vitest';
import {
  type Finding,
  InvoiceNumbering,
  type OrderBooks,
  type PaymentBooks,
  booksBalanceMinor,
  checkEntry,
  checkOrder,
  checkPayment,
  checkStrayPaymentEntry,
  checkWorkflowBalance,
  confirmedFindings,
  findingLine,
  needsWorkflowView,
  paymentEntryKey,
  summaryLine,
} from '../../../../workflows/order/rules/ledger-audit.js';

/** An invoiced order of 12 000 with a 1 500 fee, paid 5 000, credited 1 000: 7 500 open, everywhere. */
function order(over: Partial<OrderBooks> = {}, invoice: Partial<NonNullable<OrderBooks['invoice']>> = {}): OrderBooks {
  return {
    orderId: 'o1',
    workflowId: 'order:o1',
    customerId: 'c1',
    currency: 'EUR',
    status: 'awaiting_payment',
    closedAt: null,
    amountDueMinor: 7_500,
    rowInvoiceNumber: 'INV-000001',
    finalViewBalanceMinor: null,
    invoice: {
      invoiceNumber: 'INV-000001',
      status: 'open',
      totalMinor: 12_000,
      feesMinor: 1_500,
      appliedPaymentsMinor: 5_000,
      creditNotesMinor: 1_000,
      writtenOffMinor: 0,
      openDisputedMinor: 0,
      lastQuotedMinor: null,
      ...invoice,
    },
    receivable: { invoice: 12_000, fee: 1_500, payment: -5_000, credit_note: -1_000 },
    ...over,
  };
}

/** The same order paid in full and closed. */
function closedOrder(over: Partial<OrderBooks> = {}, invoice: Partial<NonNullable<OrderBooks['invoice']>> = {}): OrderBooks {
  return order(
    {
      status: 'closed',
      closedAt: new Date('2026-01-10T00:00:00Z'),
      amountDueMinor: 0,
      receivable: { invoice: 12_000, fee: 1_500, payment: -12_500, credit_note: -1_000 },
      ...over,
    },
    { status: 'closed', appliedPaymentsMinor: 12_500, ...invoice },
  );
}

const codes = (findings: Finding[]) => findings.map((f) => f.code);

describe('journal entries', () => {
  it('balance when debits equal credits over two lines or more', () => {
    expect(checkEntry({ entryId: 1, entryKey: 'k', kind: 'invoice', orderId: 'o1', lineCount: 3, debitsMinor: 12_000, creditsMinor: 12_000 })).toEqual([]);
  });

  it('name the entry and both totals when they do not balance', () => {
    const findings = checkEntry({ entryId: 7, entryKey: 'order:o1:journal:fee:l2', kind: 'fee', orderId: 'o1', lineCount: 2, debitsMinor: 1_500, creditsMinor: 1_000 });
    expect(findings.map(findingLine)).toEqual(['unbalanced-entry entry 7 (fee order:o1:journal:fee:l2, order o1): debits 1500, credits 1000']);
  });

  it('need two lines at least, even balanced at zero', () => {
    expect(codes(checkEntry({ entryId: 8, entryKey: 'k', kind: 'payment', orderId: 'o1', lineCount: 0, debitsMinor: 0, creditsMinor: 0 }))).toEqual([
      'incomplete-entry',
    ]);
  });
});

describe('an order\'s receivable', () => {
  it('is the invoice total and fees less payments, credit notes and write-offs', () => {
    expect(booksBalanceMinor(order())).toBe(7_500);
    expect(booksBalanceMinor(order({}, { writtenOffMinor: 7_500 }))).toBe(0);
    expect(booksBalanceMinor(order({}, { appliedPaymentsMinor: 20_000 }))).toBe(-7_500);
    expect(booksBalanceMinor(order({ invoice: null }))).toBe(0);
  });

  it('agrees in the books, the ledger and the row: nothing to say', () => {
    expect(checkOrder(order())).toEqual([]);
    expect(checkOrder(closedOrder())).toEqual([]);
  });

  it('names the ledger\'s figure, the books\' and the part that differs', () => {
    const findings = checkOrder(order({ receivable: { invoice: 12_000, fee: 1_500, payment: -4_000, credit_note: -1_000 } }));
    expect(findings.map(findingLine)).toEqual([
      'ledger-receivable order o1 (invoice INV-000001): ledger receivable 8500, books balance 7500 (payments: books 5000, ledger 4000)',
    ]);
  });

  it('names the row\'s amount due when it is not the books\' balance', () => {
    expect(checkOrder(order({ amountDueMinor: 12_000 })).map(findingLine)).toEqual([
      'row-amount-due order o1 (invoice INV-000001): row amount due 12000, books balance 7500',
    ]);
  });

  it('takes a closed order\'s amount due as 0, whatever was owed', () => {
    expect(checkOrder(closedOrder({ amountDueMinor: 500 })).map(findingLine)).toEqual([
      'row-amount-due order o1 (invoice INV-000001): row amount due 500, expected 0 for a closed order',
    ]);
  });

  it('takes no other figure for the balance, not even what the latest dunning notice quoted', () => {
    // 7 500 open, 2 000 of it under an open dispute: the notice quoted 5 500; the row holds the balance.
    expect(checkOrder(order({ amountDueMinor: 7_500 }, { openDisputedMinor: 2_000, lastQuotedMinor: 5_500 }))).toEqual([]);
    expect(checkOrder(order({ amountDueMinor: 5_500 }, { openDisputedMinor: 2_000, lastQuotedMinor: 5_500 })).map(findingLine)).toEqual([
      'row-amount-due order o1 (invoice INV-000001): row amount due 5500 (what the latest dunning notice quoted), books balance 7500',
    ]);
  });

  it('with no invoice owes nothing: no receivable, no amount due, no invoice number', () => {
    const uninvoiced = order({ invoice: null, rowInvoiceNumber: null, amountDueMinor: 0, receivable: {} });
    expect(checkOrder(uninvoiced)).toEqual([]);
    const findings = checkOrder({ ...uninvoiced, amountDueMinor: 100, rowInvoiceNumber: 'INV-000009', receivable: { invoice: 100 } });
    expect(findings.map(findingLine)).toEqual([
      'ledger-receivable order o1: ledger receivable 100, books balance 0 (no invoice; invoice: books 0, ledger 100)',
      'row-amount-due order o1: row amount due 100, books balance 0 (no invoice)',
      'row-invoice-number order o1: row names invoice INV-000009, the order\'s invoice is none',
    ]);
  });

  it('names the row\'s invoice number when it is not the order\'s invoice', () => {
    expect(checkOrder(order({ rowInvoiceNumber: null })).map(findingLine)).toEqual([
      'row-invoice-number order o1 (invoice INV-000001): row names invoice none, the order\'s invoice is INV-000001',
    ]);
  });

  it('compares the final view a closed row keeps with the books', () => {
    expect(checkOrder(closedOrder({ finalViewBalanceMinor: 0 }))).toEqual([]);
    expect(checkOrder(closedOrder({ finalViewBalanceMinor: 700 })).map(findingLine)).toEqual([
      'final-view-balance order o1 (invoice INV-000001): final view balance 700, books balance 0',
    ]);
  });

  it('compares the workflow\'s balance with the books', () => {
    expect(checkWorkflowBalance(order(), 7_500)).toEqual([]);
    expect(checkWorkflowBalance(order(), 12_000).map(findingLine)).toEqual([
      'workflow-balance order o1 (invoice INV-000001): workflow balance 12000, books balance 7500',
    ]);
  });

  it('asks the workflow of a live invoiced order only', () => {
    expect(needsWorkflowView(order())).toBe(true);
    expect(needsWorkflowView(order({ invoice: null }))).toBe(false);
    expect(needsWorkflowView(closedOrder())).toBe(false);
  });
});

describe('closed orders and closed rows', () => {
  it('a closed status has closed_at, and closed_at a closed status', () => {
    const cancelled = order({ status: 'cancelled', closedAt: null, invoice: null, rowInvoiceNumber: null, amountDueMinor: 0, receivable: {} });
    expect(checkOrder(cancelled).map(findingLine)).toEqual(['closed-without-closed-at order o1: status cancelled, closed_at not set']);
    expect(checkOrder(order({ closedAt: new Date('2026-01-10T00:00:00Z') })).map(findingLine)).toEqual([
      'closed-at-on-open-order order o1 (invoice INV-000001): closed_at 2026-01-10T00:00:00.000Z, status awaiting_payment',
    ]);
  });

  it('a closed order has no open invoice', () => {
    expect(codes(checkOrder(closedOrder({}, { status: 'open' })))).toEqual(['closed-order-open-invoice']);
  });

  it('a closed invoice belongs to a closed order and nets to zero', () => {
    expect(codes(checkOrder(order({}, { status: 'closed' })))).toEqual(['closed-invoice-open-order', 'closed-invoice-balance']);
    const short = closedOrder({ receivable: { invoice: 12_000, fee: 1_500, payment: -12_000, credit_note: -1_000 } }, { appliedPaymentsMinor: 12_000 });
    expect(checkOrder(short).map(findingLine)).toEqual([
      'closed-invoice-balance order o1 (invoice INV-000001): invoice status closed, books balance 500, expected 0',
    ]);
    const writtenOff = closedOrder(
      { receivable: { invoice: 12_000, fee: 1_500, payment: -5_000, credit_note: -1_000, write_off: -7_500 } },
      { status: 'written_off', appliedPaymentsMinor: 5_000, writtenOffMinor: 7_500 },
    );
    expect(checkOrder(writtenOff)).toEqual([]);
  });
});

describe('invoice numbers', () => {
  const issued = (series: string, sequence: number) => ({ series, sequence, invoiceNumber: `${series}-${String(sequence).padStart(6, '0')}` });

  it('have no gaps: every number from 1 to the last handed out is an invoice', () => {
    const numbering = new InvoiceNumbering([{ series: 'A', lastNumber: 3 }]);
    expect([1, 2, 3].flatMap((n) => numbering.add(issued('A', n)))).toEqual([]);
    expect(numbering.finish()).toEqual([]);
  });

  it('name the numbers missing between two invoices, at the start and after the last', () => {
    const numbering = new InvoiceNumbering([
      { series: 'A', lastNumber: 7 },
      { series: 'B', lastNumber: 2 },
    ]);
    const findings = [issued('A', 2), issued('A', 3), issued('A', 6), issued('B', 1), issued('B', 2)].flatMap((n) => numbering.add(n));
    findings.push(...numbering.finish());
    expect(findings.map(findingLine)).toEqual([
      'invoice-number-gap series A: first invoice comes A-000002: A-000001 missing',
      'invoice-number-gap series A: after A-000003 comes A-000006: A-000004 to A-000005 missing (2 numbers)',
      'invoice-number-gap series A: last number handed out 7, last invoice A-000006: A-000007 missing',
    ]);
  });

  it('name a series whose counter stands behind its last invoice, and a series with none', () => {
    const numbering = new InvoiceNumbering([
      { series: 'A', lastNumber: 1 },
      { series: 'E', lastNumber: 2 },
    ]);
    numbering.add(issued('A', 1));
    numbering.add(issued('A', 2));
    expect(numbering.finish().map(findingLine)).toEqual([
      'invoice-series-counter series A: last number handed out 1, last invoice A-000002: the next invoice would take a number already used',
      'invoice-number-gap series E: last number handed out 2, no invoice: E-000001 to E-000002 missing (2 numbers)',
    ]);
  });

  it('name an invoice whose number is not its series and sequence', () => {
    const numbering = new InvoiceNumbering([{ series: 'A', lastNumber: 1 }]);
    expect(numbering.add({ series: 'A', sequence: 1, invoiceNumber: 'A-1' }).map(findingLine)).toEqual([
      'invoice-number-format invoice A-1: numbered A-1, series A sequence 1 is A-000001',
    ]);
  });

  it('must come in ascending order per series', () => {
    const numbering = new InvoiceNumbering([{ series: 'A', lastNumber: 2 }]);
    numbering.add(issued('A', 2));
    expect(() => numbering.add(issued('A', 1))).toThrow(RangeError);
  });
});

describe('payment references', () => {
  function paid(over: Partial<PaymentBooks> = {}): PaymentBooks {
    return {
      paymentReference: 'pay-1',
      orderId: 'o1',
      amountMinor: 15_000,
      customerCreditMinor: 3_000,
      applications: [{ invoiceNumber: 'INV-000001', orderId: 'o1', appliedMinor: 12_000 }],
      posting: { entryId: 5, cashMinor: 15_000, receivableMinor: 12_000, customerCreditMinor: 3_000 },
      ...over,
    };
  }

  it('applied once, split as recorded and posted as recorded: nothing to say', () => {
    expect(checkPayment(paid())).toEqual([]);
    expect(paymentEntryKey('order:o1', 'pay-1')).toBe('order:o1:journal:payment:pay-1');
  });

  it('applied twice: both applications named', () => {
    const twice = paid({
      customerCreditMinor: 0,
      applications: [
        { invoiceNumber: 'INV-000001', orderId: 'o1', appliedMinor: 12_000 },
        { invoiceNumber: 'INV-000001X', orderId: 'o1', appliedMinor: 3_000 },
      ],
      posting: { entryId: 5, cashMinor: 15_000, receivableMinor: 15_000, customerCreditMinor: 0 },
    });
    expect(checkPayment(twice).map(findingLine)).toEqual([
      'payment-applied-twice payment pay-1 (order o1): applied 2 times: INV-000001 (order o1) 12000, INV-000001X (order o1) 3000',
    ]);
  });

  it('applied to another order\'s invoice', () => {
    const elsewhere = paid({ applications: [{ invoiceNumber: 'INV-000002', orderId: 'o2', appliedMinor: 12_000 }] });
    expect(checkPayment(elsewhere).map(findingLine)).toEqual([
      'payment-applied-elsewhere payment pay-1 (order o1): recorded for order o1, applied to invoice INV-000002 of order o2',
    ]);
  });

  it('whose parts are not its amount', () => {
    expect(checkPayment(paid({ customerCreditMinor: 0, posting: { entryId: 5, cashMinor: 15_000, receivableMinor: 12_000, customerCreditMinor: 0 } })).map(findingLine)).toEqual([
      'payment-split payment pay-1 (order o1): amount 15000, applied 12000 + customer credit 0 = 12000',
    ]);
  });

  it('not posted, or posted with other figures', () => {
    expect(codes(checkPayment(paid({ posting: null })))).toEqual(['payment-not-posted']);
    expect(checkPayment(paid({ posting: { entryId: 5, cashMinor: 15_000, receivableMinor: 15_000, customerCreditMinor: 0 } })).map(findingLine)).toEqual([
      'payment-posting payment pay-1 (order o1) entry 5: ledger receivable credited 15000, applied 12000; ledger customer credit 0, customer credit 3000',
    ]);
  });

  it('posted again under another key, or a payment entry with no payment', () => {
    const again = { entryId: 9, entryKey: 'order:o2:journal:payment:pay-1', orderId: 'o2', paymentReference: 'pay-1' };
    expect(checkStrayPaymentEntry({ ...again, payment: { orderId: 'o1', postingEntryId: 5 } }).map(findingLine)).toEqual([
      'payment-posted-twice payment pay-1 (order o1): posted by entry 5 and again by entry 9 of order o2 (key order:o2:journal:payment:pay-1)',
    ]);
    expect(codes(checkStrayPaymentEntry({ ...again, payment: { orderId: 'o1', postingEntryId: null } }))).toEqual(['stray-payment-entry']);
    expect(checkStrayPaymentEntry({ ...again, payment: null }).map(findingLine)).toEqual([
      'stray-payment-entry entry 9: entry 9 of order o2 (key order:o2:journal:payment:pay-1) posts payment pay-1, which was never recorded',
    ]);
    expect(codes(checkStrayPaymentEntry({ ...again, entryKey: 'manual', paymentReference: null, payment: null }))).toEqual(['stray-payment-entry']);
  });
});

describe('two runs of the audit', () => {
  const f = (code: Finding['code'], subject: string, detail = 'x'): Finding => ({ code, subject, detail });

  it('keep what both found, with the second run\'s figures', () => {
    const first = [f('row-amount-due', 'order o1', 'row 1'), f('payment-not-posted', 'payment p (order o2)')];
    const second = [f('row-amount-due', 'order o1', 'row 2'), f('unbalanced-entry', 'entry 3')];
    expect(confirmedFindings(first, second)).toEqual([f('row-amount-due', 'order o1', 'row 2')]);
  });
});

describe('the summary line', () => {
  const counts = { orders: 3, invoicedOrders: 2, journalEntries: 7, invoiceSeries: 1, invoices: 2, payments: 1, workflows: null };

  it('says clean and what was looked at', () => {
    expect(summaryLine([], counts)).toBe(
      'ledger audit: clean: 3 orders (2 invoiced), 7 journal entries, 1 invoice series (2 invoices), 1 payment',
    );
  });

  it('counts the findings, and the workflows compared and not', () => {
    const finding: Finding = { code: 'unbalanced-entry', subject: 'entry 1', detail: '' };
    expect(summaryLine([finding, finding], { ...counts, workflows: { compared: 1, gone: 1, silent: 0 } })).toBe(
      'ledger audit: 2 findings: 3 orders (2 invoiced), 7 journal entries, 1 invoice series (2 invoices), 1 payment, ' +
        '1 workflow view compared (1 gone, 0 not answering, not compared)',
    );
  });

  it('says how many findings a second run did not repeat', () => {
    expect(summaryLine([], counts, 2)).toBe(
      'ledger audit: clean: 3 orders (2 invoiced), 7 journal entries, 1 invoice series (2 invoices), 1 payment; ' +
        '2 findings not repeated a moment later (orders in motion) left out',
    );
  });
});

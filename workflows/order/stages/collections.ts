// Collections: the invoice waits for payment while dunning walks its schedule (a reminder
// before the due date, each level after it, then the hand-off to collections). Open disputes
// pause it, and the schedule moves by the pause. Once nothing is owed, the order reconciles.
import { type Order, now } from '../order.js';
import { type DunningStep, dunningPause, dunningSchedule, nextDueStep, shiftStep } from '../rules/dunning.js';
import { addDays, startOfDayIso } from '../rules/invoice.js';
import { nextStepWording, timeline } from '../wording.js';

export async function collectionsStage(order: Order): Promise<void> {
  const { state, view } = order;
  const invoice = view.invoice!;
  const schedule = dunningSchedule(invoice.dueDate, order.input.policy.dunning);
  // The status turns overdue at the start of the day after the due date.
  const overdueAt = Date.parse(startOfDayIso(addDays(invoice.dueDate, 1)));
  const paused = () => dunningPause(order.openDisputes(), Date.now()).paused;
  for (;;) {
    order.refigure();
    if (order.readyToClose()) break;
    if (order.nothingOwed()) {
      // Paid: what is still under way finishes first.
      await order.waitFor(() => order.readyToClose() || !order.nothingOwed());
      continue;
    }
    if (paused()) {
      await waitOutPause(order);
      continue;
    }
    const pending = nextDueStep(schedule, new Set(state.dunningDone));
    if (!pending) {
      order.setNext(null);
      await order.waitFor(() => order.readyToClose() || paused());
      continue;
    }
    const step = shiftStep(pending, state.pausedMs);
    const stepAt = Date.parse(step.at);
    order.setNext({ at: step.at, what: nextStepWording.dunning(step) });
    if (Date.now() < stepAt) {
      const wakeAt = Date.now() < overdueAt ? Math.min(stepAt, overdueAt) : stepAt;
      await order.waitFor(() => order.readyToClose() || paused(), wakeAt);
      continue;
    }
    await sendNotice(order, step);
  }
  order.setNext(null);
  order.moveTo('reconciling');
}

/** No notice while a dispute holds dunning, however long; the time counts into the pause. */
async function waitOutPause(order: Order): Promise<void> {
  const { state } = order;
  const pause = () => dunningPause(order.openDisputes(), Date.now());
  const { resumeAt } = pause();
  order.setNext(resumeAt === null ? null : { at: new Date(resumeAt).toISOString(), what: nextStepWording.resumeDunning });
  state.pausedSince ??= now();
  await order.waitFor(() => order.readyToClose() || !pause().paused, resumeAt ?? undefined);
  if (pause().paused) return;
  state.pausedMs += Date.now() - Date.parse(state.pausedSince);
  state.pausedSince = null;
}

/**
 * One dunning step: the fee, if any, and the notice quoting what is open now. A dispute or
 * payment recorded while the step waited its turn may have paused dunning or settled the
 * order: then nothing is sent and the loop decides again.
 */
async function sendNotice(order: Order, step: DunningStep): Promise<void> {
  const { state, view } = order;
  await order.step(async (activities) => {
    if (order.nothingOwed() || dunningPause(order.openDisputes(), Date.now()).paused) return;
    const result = await activities.sendDunningNotice({
      orderId: view.orderId,
      customerId: view.customerId,
      invoiceNumber: view.invoice!.invoiceNumber,
      currency: view.currency,
      dueDate: view.invoice!.dueDate,
      step,
      openDisputedMinor: order.openDisputedMinor(),
      sentAt: now(),
    });
    state.dunningDone.push(step.key);
    if (result.sent) {
      if (step.kind === 'collections') state.inCollections = true;
      if (step.kind !== 'pre_due_reminder') view.dunningLevel = step.level;
      if (result.feeMinor > 0) view.fees.push({ level: step.level, amountMinor: result.feeMinor, chargedAt: now() });
    }
    order.log(timeline.dunningNotice(step, result.sent, result.amountQuotedMinor, view.currency));
    order.booksSay(result.books);
  });
}

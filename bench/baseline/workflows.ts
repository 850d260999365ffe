// Temporal's own floor for an order-shaped workflow: the happy path's two updates
// (shipment, payment) and the payment timer they cancel, with no activity at all.
// Whatever the engine adds on top of this is the engine's cost.
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

export const shipFloorUpdate = defineUpdate<void>('shipFloor');
export const payFloorUpdate = defineUpdate<void>('payFloor');

export async function floorOrderWorkflow(): Promise<'paid' | 'overdue'> {
  let shipped = false;
  let paid = false;
  setHandler(shipFloorUpdate, () => {
    shipped = true;
  });
  setHandler(payFloorUpdate, () => {
    paid = true;
  });
  await condition(() => shipped);
  return (await condition(() => paid, '30 days')) ? 'paid' : 'overdue';
}

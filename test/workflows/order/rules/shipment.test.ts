import { describe, expect, it } from 'vitest';
import { isSameShipment, recordedShipmentLines, shipmentIdentity } from '../../../../workflows/order/rules/shipment.js';

const recorded = [
  { lineId: 'l1', quantity: 3 },
  { lineId: 'l2', quantity: 1 },
];

describe('isSameShipment', () => {
  it('takes the same quantities of the same lines, in any order, as the same shipment', () => {
    expect(isSameShipment(recorded, [...recorded])).toBe(true);
    expect(isSameShipment(recorded, [recorded[1], recorded[0]])).toBe(true);
  });

  it('takes another quantity, a line more or less, or a line twice as another shipment', () => {
    expect(isSameShipment(recorded, [{ lineId: 'l1', quantity: 3 }, { lineId: 'l2', quantity: 2 }])).toBe(false);
    expect(isSameShipment(recorded, [{ lineId: 'l1', quantity: 3 }])).toBe(false);
    expect(isSameShipment(recorded, [...recorded, { lineId: 'l3', quantity: 1 }])).toBe(false);
    expect(isSameShipment(recorded, [{ lineId: 'l1', quantity: 3 }, { lineId: 'l1', quantity: 3 }])).toBe(false);
  });

  it('takes what is not a list of lines as another shipment', () => {
    expect(isSameShipment(recorded, undefined)).toBe(false);
    expect(isSameShipment(recorded, [null, { lineId: 'l2', quantity: 1 }])).toBe(false);
    expect(isSameShipment(recorded, 'l1')).toBe(false);
  });
});

describe('shipmentIdentity', () => {
  it('is new when nothing is recorded under the ID, a repeat for the same lines, and refused with other lines', () => {
    expect(shipmentIdentity(undefined, 'sh-1', recorded)).toEqual({ kind: 'new' });
    expect(shipmentIdentity(recorded, 'sh-1', [...recorded].reverse())).toEqual({ kind: 'repeat' });
    expect(shipmentIdentity(recorded, 'sh-1', [{ lineId: 'l1', quantity: 3 }])).toEqual({
      kind: 'different-shipment',
      message: 'shipment sh-1 was already recorded with other lines',
    });
  });

  it('finds the lines recorded under an ID', () => {
    const view = { shipments: [{ shipmentId: 'sh-1', lines: recorded, shippedAt: '2026-12-01T00:00:00Z' }] };
    expect(recordedShipmentLines(view, 'sh-1')).toEqual(recorded);
    expect(recordedShipmentLines(view, 'sh-2')).toBeUndefined();
  });
});

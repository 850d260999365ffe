import { describe, expect, it } from 'vitest';
import { startDevServer } from '../helpers/temporal.js';
import { type ApiHarness, createCustomer, orderBody, useApi } from './harness.js';

let h: ApiHarness;
useApi(startDevServer, (harness) => {
  h = harness;
});

describe('POST /orders', () => {
  it('starts the order and answers 201 with its state once credit is checked', async () => {
    const customerId = await createCustomer(h);
    const body = orderBody(customerId);
    const res = await h.call('service', 'POST', '/orders', body);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers.location).toBe(`/orders/${body.orderId}`);
    expect(res.json()).toMatchObject({ orderId: body.orderId, status: 'awaiting_shipment', credit: { outcome: 'approved' } });
  });
});

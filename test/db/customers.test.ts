import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client.js';
import { getCustomer, upsertCustomer } from '../../db/queries/customers.js';
import { openTestDatabase, uniqueId } from '../helpers/database.js';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(async () => {
  await handle?.close();
});

describe('customers', () => {
  it('inserts, then updates in place and stamps updated_at', async () => {
    const id = uniqueId('cust');
    const customer = {
      id,
      name: 'Acme GmbH',
      currency: 'EUR',
      creditLimitMinor: 100_000,
      paymentTermsDays: 30,
      contactEmail: 'ap@acme.example',
    };
    await upsertCustomer(handle.db, customer);
    const created = await getCustomer(handle.db, id);
    expect(created).toMatchObject(customer);

    await upsertCustomer(handle.db, { ...customer, name: 'Acme AG', creditLimitMinor: 250_000, contactEmail: null });
    const updated = await getCustomer(handle.db, id);
    expect(updated).toMatchObject({ name: 'Acme AG', creditLimitMinor: 250_000, paymentTermsDays: 30, contactEmail: null });
    expect(updated?.createdAt).toEqual(created?.createdAt);
    expect(updated!.updatedAt.getTime()).toBeGreaterThanOrEqual(created!.updatedAt.getTime());
  });

  it('answers undefined for an unknown customer and refuses a negative limit', async () => {
    expect(await getCustomer(handle.db, uniqueId('cust'))).toBeUndefined();
    const id = uniqueId('cust');
    const customer = { id, name: 'X', currency: 'EUR', creditLimitMinor: -1, paymentTermsDays: 30, contactEmail: null };
    await expect(upsertCustomer(handle.db, customer)).rejects.toThrow();
    expect(await getCustomer(handle.db, id)).toBeUndefined();
  });
});

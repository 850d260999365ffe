import { z } from 'zod';
import { currency, described, identifier, minorUnits, oneLine } from './common.js';

export const customerParams = z.strictObject({ customerId: identifier });

const paymentTermsDays = z.int('must be a whole number of days').min(0).max(365).describe('Days, 0 to 365.');

export const createCustomerBody = z
  .strictObject({
    customerId: identifier,
    name: oneLine(200),
    currency,
    creditLimitMinor: minorUnits,
    paymentTermsDays,
    contactEmail: z.email().max(320).optional(),
  })
  .meta({ id: 'CreateCustomer' });

export const changeTermsBody = z
  .strictObject({ creditLimitMinor: minorUnits.optional(), paymentTermsDays: paymentTermsDays.optional() })
  .refine((b) => b.creditLimitMinor !== undefined || b.paymentTermsDays !== undefined, {
    message: 'give creditLimitMinor, paymentTermsDays or both',
  })
  // The refinement, in the document's words: at least one of the two fields.
  .meta({ id: 'CustomerTermsChange', minProperties: 1 });

export const customerSchema = z
  .object({
    customerId: z.string(),
    name: z.string(),
    currency: z.string(),
    creditLimitMinor: z.number(),
    paymentTermsDays: z.number(),
    contactEmail: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Customer' });

export const customerDetail = customerSchema
  .extend({
    exposure: z.object({
      openReceivablesMinor: z.number(),
      openOrdersMinor: z.number(),
      /** Open receivables plus orders not yet invoiced, against the limit. */
      exposureMinor: z.number(),
      availableMinor: z.number(),
      overdueMinor: z.number(),
    }),
    openInvoices: z.array(
      z.object({
        invoiceNumber: z.string(),
        orderId: z.string(),
        issuedAt: z.string(),
        dueDate: z.string(),
        totalMinor: z.number(),
        balanceMinor: z.number(),
      }),
    ),
  })
  .meta({ id: 'CustomerDetail' });

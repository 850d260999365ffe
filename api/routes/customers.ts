// Customers and their credit terms. No workflow: the order snapshots what it needs when it
// starts, so a change here affects new orders only.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../../db/client.js';
import { changeCustomerTerms, createCustomer, getCustomer, type Customer } from '../../db/queries/customers.js';
import { getCreditProfile, listOpenInvoices } from '../../db/queries/orders.js';
import { creditStanding } from '../../workflows/order/rules/credit.js';
import { utcDate } from '../../workflows/order/rules/invoice.js';
import { DomainError } from '../errors.js';
import { customerExamples as examples } from '../examples.js';
import { problemResponses, response, withExamples } from '../openapi.js';
import { changeTermsBody, createCustomerBody, customerDetail, customerParams, customerSchema } from '../schemas/customers.js';


function present(c: Customer) {
  return {
    customerId: c.id,
    name: c.name,
    currency: c.currency,
    creditLimitMinor: c.creditLimitMinor,
    paymentTermsDays: c.paymentTermsDays,
    contactEmail: c.contactEmail,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export const customerRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.post(
    '/customers',
    {
      config: { roles: ['service'] },
      schema: {
        operationId: 'createCustomer',
        summary: 'Create a customer with its credit limit and payment terms',
        description: 'The customer ID is the idempotency key: the same body again answers 200; other details under the same ID are 409 (change terms with PATCH).',
        tags: ['customers'],
        body: withExamples(createCustomerBody, examples.create.body),
        response: {
          200: response(customerSchema, 'The same body again: the customer as it is. Nothing changes.', examples.create[200]),
          201: response(customerSchema, 'Created; `Location` names it.', examples.create[201], { location: 'The new customer: `/customers/{customerId}`.' }),
          ...problemResponses(examples.create.problems),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const wanted = {
        id: body.customerId,
        name: body.name,
        currency: body.currency,
        creditLimitMinor: body.creditLimitMinor,
        paymentTermsDays: body.paymentTermsDays,
        contactEmail: body.contactEmail ?? null,
      };
      const { created, customer } = await createCustomer(db, wanted);
      if (!created) {
        const differs = (Object.keys(wanted) as Array<keyof typeof wanted>).filter((k) => customer[k] !== wanted[k]);
        if (differs.length > 0) {
          throw new DomainError('CONFLICT', `Customer ${body.customerId} already exists with another ${differs.join(', ')}.`);
        }
        return reply.code(200).send(present(customer));
      }
      reply.header('location', `/customers/${encodeURIComponent(customer.id)}`);
      return reply.code(201).send(present(customer));
    },
  );

  app.get(
    '/customers/:customerId',
    {
      config: { roles: ['service', 'finance', 'operator'] },
      schema: {
        operationId: 'getCustomer',
        summary: 'A customer with its limit, terms, exposure and open invoices',
        description:
          'Exposure is what credit checks weigh against the limit: open receivables (invoiced, unpaid) plus orders approved but not yet invoiced. `overdueMinor` is what is unpaid past its due date.',
        tags: ['customers'],
        params: withExamples(customerParams, examples.get.params),
        response: {
          200: response(customerDetail, 'The customer, its exposure now and its open invoices.', examples.get[200]),
          ...problemResponses(examples.get.problems),
        },
      },
    },
    async (request) => {
      const { customerId } = request.params;
      const customer = await getCustomer(db, customerId);
      if (!customer) throw new DomainError('NOT_FOUND', `Customer ${customerId} does not exist.`);
      const asOf = utcDate(new Date());
      const [profile, invoices] = await Promise.all([getCreditProfile(db, customerId, '', asOf), listOpenInvoices(db, customerId)]);
      const figures = profile ?? { limitMinor: customer.creditLimitMinor, openReceivablesMinor: 0, openOrdersMinor: 0, overdueMinor: 0 };
      return {
        ...present(customer),
        exposure: {
          openReceivablesMinor: figures.openReceivablesMinor,
          openOrdersMinor: figures.openOrdersMinor,
          ...creditStanding(figures),
        },
        openInvoices: invoices.map((i) => ({
          invoiceNumber: i.invoiceNumber,
          orderId: i.orderId,
          issuedAt: i.issuedAt.toISOString(),
          dueDate: i.dueDate,
          totalMinor: i.totalMinor,
          balanceMinor: i.balanceMinor,
        })),
      };
    },
  );

  app.patch(
    '/customers/:customerId',
    {
      config: { roles: ['finance'] },
      schema: {
        operationId: 'changeCustomerTerms',
        summary: "Change a customer's credit limit or payment terms",
        description: 'Recorded in the audit trail with the key\'s name, the old and the new values; a request that changes nothing records nothing. Running orders keep the terms they started with.',
        tags: ['customers'],
        params: withExamples(customerParams, examples.changeTerms.params),
        body: withExamples(changeTermsBody, examples.changeTerms.body),
        response: {
          200: response(customerSchema, 'The customer with its terms as they are now.', examples.changeTerms[200]),
          ...problemResponses(examples.changeTerms.problems),
        },
      },
    },
    async (request) => {
      const { customerId } = request.params;
      const updated = await changeCustomerTerms(db, customerId, request.body, {
        kind: request.actor.role,
        name: request.actor.name,
        // Unique per change; a retry that changes nothing writes no event at all.
        eventKey: `customer:${customerId}:terms:${randomUUID()}`,
      });
      if (!updated) throw new DomainError('NOT_FOUND', `Customer ${customerId} does not exist.`);
      return present(updated);
    },
  );
};

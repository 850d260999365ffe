import { Context } from '@temporalio/activity';

/**
 * Idempotency key of a side effect: the workflow ID plus the step. A retried or replayed
 * activity derives the same key, so the unique index in the database turns the second
 * write into a no-op.
 */
export function stepKey(step: string): string {
  const execution = Context.current().info.workflowExecution;
  if (!execution) throw new Error('this activity runs only on behalf of a workflow');
  return `${execution.workflowId}:${step}`;
}

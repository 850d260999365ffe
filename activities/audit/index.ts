import { Context } from '@temporalio/activity';
import type { Database } from '../../db/client.js';
import { recordAuditEvent } from '../../db/queries/audit.js';

export interface AuditEventInput {
  /** The workflow step that writes it; with the workflow ID it makes the idempotency key. */
  step: string;
  actorKind: 'system' | 'service' | 'finance' | 'operator';
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  detail?: Record<string, unknown>;
}

export function createAuditActivities(deps: { db: Database }) {
  return {
    /** Appends to the audit trail once per workflow step, however often the activity runs. */
    async recordAudit(input: AuditEventInput): Promise<{ recorded: boolean }> {
      const execution = Context.current().info.workflowExecution;
      if (!execution) throw new Error('recordAudit runs only on behalf of a workflow');
      const { workflowId } = execution;
      const { step, detail, ...event } = input;
      return recordAuditEvent(deps.db, { ...event, detail: detail ?? {}, eventKey: `${workflowId}:${step}` });
    },
  };
}

import proto from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { historyCost } from '../../bench/history.js';

const E = proto.temporal.api.enums.v1.EventType;
const payload = (value: string) => ({ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(value)) });

describe('historyCost', () => {
  it('counts events and billable actions the way Temporal Cloud bills them', () => {
    const history = {
      events: [
        { eventType: E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED },
        { eventType: E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED },
        { eventType: E.EVENT_TYPE_WORKFLOW_TASK_STARTED },
        { eventType: E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED },
        { eventType: E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED },
        // two local activities in one workflow task: one action
        { eventType: E.EVENT_TYPE_MARKER_RECORDED, markerRecordedEventAttributes: { markerName: 'core_local_activity', workflowTaskCompletedEventId: 4 } },
        { eventType: E.EVENT_TYPE_MARKER_RECORDED, markerRecordedEventAttributes: { markerName: 'core_local_activity', workflowTaskCompletedEventId: 4 } },
        // a patch marker is no local activity, and the versioning attribute alone is free
        { eventType: E.EVENT_TYPE_MARKER_RECORDED, markerRecordedEventAttributes: { markerName: 'core_patch', workflowTaskCompletedEventId: 4 } },
        {
          eventType: E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
          upsertWorkflowSearchAttributesEventAttributes: { searchAttributes: { indexedFields: { TemporalChangeVersion: payload('p') } } },
        },
        {
          eventType: E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
          upsertWorkflowSearchAttributesEventAttributes: { searchAttributes: { indexedFields: { OrderStatus: payload('x'), AmountDue: payload('1') } } },
        },
        { eventType: E.EVENT_TYPE_TIMER_STARTED },
        { eventType: E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED },
        { eventType: E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED },
        { eventType: E.EVENT_TYPE_WORKFLOW_TASK_STARTED },
        { eventType: E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED },
        { eventType: E.EVENT_TYPE_MARKER_RECORDED, markerRecordedEventAttributes: { markerName: 'core_local_activity', workflowTaskCompletedEventId: 15 } },
        { eventType: E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED },
        // an activity that took three attempts: three actions
        { eventType: E.EVENT_TYPE_ACTIVITY_TASK_STARTED, activityTaskStartedEventAttributes: { attempt: 3 } },
        { eventType: E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED },
        { eventType: E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED },
        { eventType: E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED },
      ],
    } as Parameters<typeof historyCost>[0]; // event IDs are Longs on the wire, numbers here
    const cost = historyCost(history);
    expect(cost.events).toBe(21);
    expect(cost.bytes).toBeGreaterThan(21 * 2);
    expect(cost.workflowTasks).toBe(2);
    expect(cost.localActivities).toBe(3);
    expect(cost.activities).toBe(1);
    expect(cost.timers).toBe(1);
    expect(cost.updates).toBe(1);
    expect(cost.actions).toEqual({
      'workflow started': 1,
      update: 1,
      'search attributes upserted': 1,
      'timer started': 1,
      'activity attempt': 3,
      signal: 1,
      'local activities (per workflow task)': 2,
    });
    expect(cost.billableActions).toBe(10);
  });
});

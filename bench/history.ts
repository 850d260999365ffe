// What one order costs Temporal, read from its event history: events (what the server
// stores and every replay reads) and Temporal Cloud's billable actions, counted by the rules
// of https://docs.temporal.io/cloud/actions.
// A CommonJS module: Node's ESM loader sees only its default export.
import proto, { type temporal } from '@temporalio/proto';

const E = proto.temporal.api.enums.v1.EventType;
type History = temporal.api.history.v1.IHistory;

export interface HistoryCost {
  events: number;
  /** The history's size as the server stores and sends it (protobuf). */
  bytes: number;
  workflowTasks: number;
  billableActions: number;
  /** Billable actions by kind, to see what drives them. */
  actions: Record<string, number>;
  localActivities: number;
  activities: number;
  timers: number;
  updates: number;
}

const LOCAL_ACTIVITY_MARKER = 'core_local_activity';
const CHANGE_VERSION = 'TemporalChangeVersion';

export function historyCost(history: History): HistoryCost {
  const events = history.events ?? [];
  const actions: Record<string, number> = {};
  const add = (kind: string, n = 1) => {
    actions[kind] = (actions[kind] ?? 0) + n;
  };
  const tasksWithLocalActivities = new Set<string>();
  let localActivities = 0;
  let activities = 0;
  let timers = 0;
  let updates = 0;
  let workflowTasks = 0;
  for (const event of events) {
    switch (event.eventType) {
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        add('workflow started');
        break;
      case E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        workflowTasks += 1;
        break;
      case E.EVENT_TYPE_TIMER_STARTED:
        timers += 1;
        add('timer started');
        break;
      case E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        const fields = Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {});
        // Upserts of the versioning attribute alone are free.
        if (fields.some((f) => f !== CHANGE_VERSION)) add('search attributes upserted');
        break;
      }
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        add('signal');
        break;
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        updates += 1;
        add('update');
        break;
      case E.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        activities += 1;
        // Every attempt is an action; the started event carries the last attempt's number.
        add('activity attempt', event.activityTaskStartedEventAttributes?.attempt ?? 1);
        break;
      case E.EVENT_TYPE_MARKER_RECORDED: {
        const marker = event.markerRecordedEventAttributes;
        if (marker?.markerName !== LOCAL_ACTIVITY_MARKER) break;
        localActivities += 1;
        // All local activities of one workflow task are one action.
        tasksWithLocalActivities.add(String(marker.workflowTaskCompletedEventId));
        break;
      }
      default:
        break;
    }
  }
  if (tasksWithLocalActivities.size > 0) add('local activities (per workflow task)', tasksWithLocalActivities.size);
  const billableActions = Object.values(actions).reduce((sum, n) => sum + n, 0);
  const bytes = proto.temporal.api.history.v1.History.encode(history).finish().length;
  return { events: events.length, bytes, workflowTasks, billableActions, actions, localActivities, activities, timers, updates };
}

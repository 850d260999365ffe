// The naive design's activities: no work at all, only the round trip and a payload of the
// order's size each way, so what it measures is the design, not our code.
export function createBaselineActivities() {
  return {
    async runStep(_step: string, order: Record<string, unknown>): Promise<Record<string, unknown>> {
      return order;
    },
  };
}

export type BaselineActivities = ReturnType<typeof createBaselineActivities>;

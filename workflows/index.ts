// The worker's workflow bundle entry: every workflow the engine runs is exported here.
// Workflows land with the order workflow; until then the worker serves no workflow type.
export {};

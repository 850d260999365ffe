// Preloaded once into each workflow sandbox, before any workflow runs (the worker's
// `bundlerOptions.preloadModules`). The SDK records a stack trace for every promise workflow
// code creates, so that Temporal UI's Call Stack can show where a workflow waits, and V8 walks
// up to `Error.stackTraceLimit` frames (10 by default) for each: an order creates well over a
// hundred promises, and that walk was a quarter of replaying one. Three frames per promise
// still give the Call Stack its whole chain (the SDK links each promise to the one awaiting
// it: `condition` ← `waitFor` ← the stage); an error thrown in workflow code shows the three
// innermost frames, where it was thrown and the two callers above.
Error.stackTraceLimit = 3;

export {};

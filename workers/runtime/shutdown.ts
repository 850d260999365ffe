// Graceful stop on SIGINT/SIGTERM: run the stop steps once. Ctrl-C reaches a process both
// from the terminal and from npm forwarding it, so a repeat within a moment is the same
// request; a later one while draining forces the exit.
const REPEAT_WINDOW_MS = 2000;

export function onShutdown(stop: (signal: NodeJS.Signals) => Promise<void>, log: (line: string) => void = console.error): void {
  let firstAt: number | undefined;
  const handle = (signal: NodeJS.Signals) => {
    if (firstAt !== undefined) {
      if (Date.now() - firstAt < REPEAT_WINDOW_MS) return;
      log(`${signal} again: exiting now`);
      process.exit(130);
    }
    firstAt = Date.now();
    log(`${signal}: shutting down`);
    stop(signal).then(
      () => process.exit(process.exitCode ?? 0),
      (err: unknown) => {
        log(`shutdown failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}

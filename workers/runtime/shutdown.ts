// Graceful stop on SIGINT/SIGTERM: run the stop steps once. Ctrl-C reaches a process both
// from the terminal and from npm forwarding it, so a repeat within a moment is the same
// request; a later one while draining forces the exit.
const REPEAT_WINDOW_MS = 2000;
const PARENT_CHECK_MS = 500;

export function onShutdown(stop: (reason: string) => Promise<void>, log: (line: string) => void = console.error): void {
  let firstAt: number | undefined;
  const handle = (reason: string) => {
    if (firstAt !== undefined) {
      if (Date.now() - firstAt < REPEAT_WINDOW_MS) return;
      log(`${reason} again: exiting now`);
      process.exit(130);
    }
    firstAt = Date.now();
    log(`${reason}: shutting down`);
    stop(reason).then(
      () => process.exit(process.exitCode ?? 0),
      (err: unknown) => {
        log(`shutdown failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => handle('SIGINT'));
  process.on('SIGTERM', () => handle('SIGTERM'));

  // `npm start` runs us under `sh -c`; a SIGTERM to npm ends npm and the shell but never
  // reaches this process. Losing the parent is therefore a request to stop too, so that
  // no orphaned worker or dev server is left running.
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(watch);
      handle('parent process ended');
    }
  }, PARENT_CHECK_MS);
  watch.unref();
}

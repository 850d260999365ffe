import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker';

const SDK_LEVEL: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
  silent: 'ERROR',
};

/**
 * Sets the Temporal SDK's log level from LOG_LEVEL; must run before any worker connects.
 * The process owns SIGINT/SIGTERM (see shutdown.ts), so the SDK installs no handlers of its own.
 */
export function installRuntime(level: string): void {
  Runtime.install({ logger: new DefaultLogger(SDK_LEVEL[level] ?? 'INFO'), shutdownSignals: [] });
}

/**
 * SIGTERM / SIGINT: stop taking new work (readiness goes down, new requests get 503), let running
 * jobs finish within the grace period, fail the rest clearly, close listeners and workers, exit 0.
 * A shutdown that hangs past the grace period plus a margin exits 1.
 */
import type { INestApplication, LoggerService } from '@nestjs/common';

export interface GracefulShutdownOptions {
  readonly graceMs: number;
  readonly logger: LoggerService;
  /** Extra time beyond the grace period for closing listeners and workers. */
  readonly marginMs?: number;
  readonly exit?: (code: number) => void;
  readonly signals?: readonly NodeJS.Signals[];
  /** Called at once on the signal, before the application closes: stop taking new work and wait for running work (bounded by the grace period). */
  readonly drain?: (graceMs: number) => Promise<unknown>;
}

/** Installs the signal handlers; returns the shutdown function (also callable directly). */
export function installGracefulShutdown(app: INestApplication, options: GracefulShutdownOptions): (signal: string) => Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let shutting: Promise<void> | undefined;
  const shutdown = (signal: string): Promise<void> => {
    if (shutting) return shutting;
    options.logger.log(`${signal}: draining (running jobs have ${Math.round(options.graceMs / 1000)} s to finish)`, 'Shutdown');
    const started = Date.now();
    const watchdog = setTimeout(() => {
      options.logger.error(`shutdown did not finish within ${options.graceMs + (options.marginMs ?? 10_000)} ms; exiting`, undefined, 'Shutdown');
      exit(1);
    }, options.graceMs + (options.marginMs ?? 10_000));
    watchdog.unref();
    // Listeners stay open while draining (new work gets 503, status and images still answer); then everything closes.
    shutting = Promise.resolve(options.drain?.(options.graceMs))
      .then(() => app.close())
      .then(
        () => {
          clearTimeout(watchdog);
          options.logger.log(`stopped cleanly in ${Date.now() - started} ms`, 'Shutdown');
          exit(0);
        },
        (error: unknown) => {
          clearTimeout(watchdog);
          options.logger.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`, undefined, 'Shutdown');
          exit(1);
        },
      );
    return shutting;
  };
  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) process.once(signal, () => void shutdown(signal));
  return shutdown;
}

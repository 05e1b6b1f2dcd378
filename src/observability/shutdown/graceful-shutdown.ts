/**
 * SIGTERM / SIGINT, in this order:
 * 1. drain: readiness goes down and new generations are refused (503 UNAVAILABLE); running jobs
 *    get the grace period to finish;
 * 2. cancel: what is still queued or running fails with UNAVAILABLE "server shutting down", and
 *    every progress stream (SSE, GraphQL subscription, gRPC Generate) gets that final event;
 * 3. close the workers: each finishes the UNet call in progress (cancellation is checked between
 *    steps, never inside native code), releases its sessions and ends its thread;
 * 4. close the listeners (GraphQL websockets, gRPC, HTTP) and exit 0.
 * The process never exits while a worker may be inside onnxruntime (a thread ended there aborts the
 * whole process with SIGABRT). A watchdog exits 1 as a last resort only, long after the grace
 * period plus the longest a worker may take to finish its call.
 */
import type { INestApplication, LoggerService } from '@nestjs/common';
import type { Server } from 'node:http';
import { WORKER_SHUTDOWN_GRACE_MS } from '../../pool';

/** What the application does at each step (see appShutdownSteps for the real ones). */
export interface ShutdownSteps {
  /** Readiness down, new work refused; resolves once running work has ended or after `graceMs`. */
  drain(graceMs: number): Promise<unknown>;
  /** Fails whatever is still queued or running; resolves with how many jobs it ended. */
  cancelRemaining(): Promise<number> | number;
  /** Resolves once every worker has finished its current call and ended. */
  closeWorkers(): Promise<unknown>;
}

export interface GracefulShutdownOptions {
  readonly graceMs: number;
  readonly logger: LoggerService;
  readonly steps: ShutdownSteps;
  /** Exits 1 if the shutdown has not finished by then (default: grace + a worker's longest call + 30 s). Never reached in the normal path. */
  readonly watchdogMs?: number;
  /** Open HTTP responses still unfinished this long after the listeners began closing are cut (default 5 s). */
  readonly connectionGraceMs?: number;
  readonly exit?: (code: number) => void;
  readonly signals?: readonly NodeJS.Signals[];
}

/** The watchdog's default margin beyond the grace period: the longest a worker may take to finish its call, and 30 s to close. */
const DEFAULT_WATCHDOG_MARGIN_MS = WORKER_SHUTDOWN_GRACE_MS + 30_000;
const DEFAULT_CONNECTION_GRACE_MS = 5_000;
const CONTEXT = 'Shutdown';

/** Installs the signal handlers; returns the shutdown function (also callable directly). */
export function installGracefulShutdown(app: INestApplication, options: GracefulShutdownOptions): (signal: string) => Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const { logger, steps, graceMs } = options;
  let shutting: Promise<void> | undefined;
  const shutdown = (signal: string): Promise<void> => {
    if (shutting) return shutting;
    const started = Date.now();
    const watchdogMs = options.watchdogMs ?? graceMs + DEFAULT_WATCHDOG_MARGIN_MS;
    const watchdog = setTimeout(() => {
      logger.error(`shutdown did not finish within ${watchdogMs} ms; exiting`, undefined, CONTEXT);
      exit(1);
    }, watchdogMs);
    watchdog.unref();
    logger.log(`${signal}: draining (running jobs have ${formatSeconds(graceMs)} to finish)`, CONTEXT);
    // A failed step is logged and the next ones still run: the workers are always closed before the process exits.
    let failed = false;
    const step = async <T>(name: string, run: () => Promise<T> | T): Promise<T | undefined> => {
      try {
        return await run();
      } catch (error) {
        failed = true;
        logger.error(`shutdown: ${name} failed: ${error instanceof Error ? error.message : String(error)}`, undefined, CONTEXT);
        return undefined;
      }
    };
    shutting = (async () => {
      // Listeners stay open until the workers are closed: new work gets 503, status, images and streams still answer.
      await step('draining', () => steps.drain(graceMs));
      const cancelled = await step('cancelling the remaining jobs', () => steps.cancelRemaining());
      if (cancelled) logger.log(`grace period over: ${cancelled} job(s) still queued or running ended as UNAVAILABLE (server shutting down)`, CONTEXT);
      await step('closing the workers', () => steps.closeWorkers());
      logger.log(`workers closed after ${Date.now() - started} ms; closing listeners`, CONTEXT);
      await step('closing the listeners', () => closeListeners(app, options.connectionGraceMs ?? DEFAULT_CONNECTION_GRACE_MS));
      clearTimeout(watchdog);
      if (failed) {
        logger.error(`stopped after ${Date.now() - started} ms, with errors`, undefined, CONTEXT);
        exit(1);
      } else {
        logger.log(`stopped cleanly in ${Date.now() - started} ms`, CONTEXT);
        exit(0);
      }
    })();
    return shutting;
  };
  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) process.once(signal, () => void shutdown(signal));
  return shutdown;
}

/**
 * Closes the application (gRPC, GraphQL websockets, HTTP). Every local job has ended by now, so
 * progress streams have had their final event; a response still open after `connectionGraceMs`
 * (a stream of a job running on another replica, a client that stopped reading) is cut rather than
 * left to hold the process.
 */
async function closeListeners(app: INestApplication, connectionGraceMs: number): Promise<void> {
  const http = app.getHttpServer() as Partial<Pick<Server, 'closeAllConnections'>>;
  const cut = setTimeout(() => http.closeAllConnections?.(), connectionGraceMs);
  cut.unref();
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

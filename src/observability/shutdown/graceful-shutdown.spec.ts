import type { INestApplication, LoggerService } from '@nestjs/common';
import { WORKER_SHUTDOWN_GRACE_MS } from '../../pool';
import { installGracefulShutdown, type ShutdownSteps } from './graceful-shutdown';

const silent: LoggerService = { log: () => undefined, error: () => undefined, warn: () => undefined };

/** A promise settled from outside, to hold a step for as long as a test needs. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

interface Harness {
  readonly calls: string[];
  readonly exits: number[];
  readonly steps: ShutdownSteps;
  readonly app: INestApplication;
  readonly closeAllConnections: jest.Mock;
}

/** Steps and an application that record what is called, in order; `hold` keeps a step pending. */
function harness(hold: Partial<Record<'drain' | 'closeWorkers' | 'appClose', Promise<void>>> = {}): Harness {
  const calls: string[] = [];
  const exits: number[] = [];
  const closeAllConnections = jest.fn(() => calls.push('closeAllConnections'));
  const steps: ShutdownSteps = {
    drain: async (graceMs) => {
      calls.push(`drain(${graceMs})`);
      await hold.drain;
    },
    cancelRemaining: () => {
      calls.push('cancelRemaining');
      return 2;
    },
    closeWorkers: async () => {
      calls.push('closeWorkers');
      await hold.closeWorkers;
    },
  };
  const app = {
    close: async () => {
      calls.push('app.close');
      await hold.appClose;
    },
    getHttpServer: () => ({ closeAllConnections }),
  } as unknown as INestApplication;
  return { calls, exits, steps, app, closeAllConnections };
}

describe('installGracefulShutdown', () => {
  afterEach(() => jest.useRealTimers());

  it('drains for the grace period, cancels what is left, closes the workers, then the listeners, and exits 0', async () => {
    const h = harness();
    const shutdown = installGracefulShutdown(h.app, { graceMs: 1000, logger: silent, steps: h.steps, exit: (code) => h.exits.push(code), signals: [] });
    const first = shutdown('SIGTERM');
    expect(shutdown('SIGTERM')).toBe(first);
    await first;
    expect(h.calls).toEqual(['drain(1000)', 'cancelRemaining', 'closeWorkers', 'app.close']);
    expect(h.exits).toEqual([0]);
  });

  it('keeps the listeners open (streams get their final event) until every worker has finished its call', async () => {
    const workers = deferred();
    const h = harness({ closeWorkers: workers.promise });
    const done = installGracefulShutdown(h.app, { graceMs: 1000, logger: silent, steps: h.steps, exit: (code) => h.exits.push(code), signals: [] })('SIGTERM');
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.calls).toEqual(['drain(1000)', 'cancelRemaining', 'closeWorkers']);
    workers.resolve();
    await done;
    expect(h.calls[h.calls.length - 1]).toBe('app.close');
    expect(h.exits).toEqual([0]);
  });

  it('does not exit while a worker finishes a long call after a short grace: the watchdog waits for the longest a worker may take', async () => {
    jest.useFakeTimers();
    const workers = deferred();
    const h = harness({ closeWorkers: workers.promise });
    const done = installGracefulShutdown(h.app, { graceMs: 1000, logger: silent, steps: h.steps, exit: (code) => h.exits.push(code), signals: [] })('SIGTERM');
    // A minute-long UNet call: far beyond 2 × grace + 10 s, the old watchdog's limit.
    await jest.advanceTimersByTimeAsync(60_000);
    expect(h.exits).toEqual([]);
    workers.resolve();
    await done;
    expect(h.exits).toEqual([0]);
  });

  it('exits 1 as a last resort once grace + the longest worker call + 30 s have passed', async () => {
    jest.useFakeTimers();
    const h = harness({ closeWorkers: new Promise<void>(() => undefined) });
    void installGracefulShutdown(h.app, { graceMs: 1000, logger: silent, steps: h.steps, exit: (code) => h.exits.push(code), signals: [] })('SIGTERM');
    await jest.advanceTimersByTimeAsync(1000 + WORKER_SHUTDOWN_GRACE_MS + 30_000 - 1);
    expect(h.exits).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(h.exits).toEqual([1]);
  });

  it('cuts HTTP connections still open after the connection grace instead of hanging on them', async () => {
    jest.useFakeTimers();
    const closed = deferred();
    const h = harness({ appClose: closed.promise });
    h.closeAllConnections.mockImplementation(() => closed.resolve());
    const done = installGracefulShutdown(h.app, { graceMs: 0, connectionGraceMs: 5000, logger: silent, steps: h.steps, exit: (code) => h.exits.push(code), signals: [] })('SIGTERM');
    await jest.advanceTimersByTimeAsync(4999);
    expect(h.closeAllConnections).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    await done;
    expect(h.closeAllConnections).toHaveBeenCalledTimes(1);
    expect(h.exits).toEqual([0]);
  });

  it('logs a failed step, still closes the workers and the listeners (never exiting over a native call), and exits 1', async () => {
    const h = harness();
    const steps: ShutdownSteps = { ...h.steps, cancelRemaining: () => Promise.reject(new Error('boom')) };
    const errors: string[] = [];
    const logger: LoggerService = { ...silent, error: (message: string) => errors.push(message) };
    await installGracefulShutdown(h.app, { graceMs: 0, logger, steps, exit: (code) => h.exits.push(code), signals: [] })('SIGTERM');
    expect(h.calls).toEqual(['drain(0)', 'closeWorkers', 'app.close']);
    expect(h.exits).toEqual([1]);
    expect(errors[0]).toBe('shutdown: cancelling the remaining jobs failed: boom');
  });
});

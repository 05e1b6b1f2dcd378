/**
 * The server side of `npm run bench:load`: the real application, started in the benchmark's own
 * process with one API key on a tier whose rate limits never bind and a small global queue, and the
 * server-side time of its answers.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { unetRowsPerImage } from '../../../engine/pipeline/classifier-free-guidance';
import { INFERENCE_POOL_CONFIG } from '../../../inference/inference.module';
import { InferencePool, type InferencePoolConfig } from '../../../pool';
import { startBenchmarkServer } from '../benchmark-server';
import type { LoadBenchOptions } from './load-benchmark-support';
import { GUIDANCE } from './load-http';
import { DEFAULT_IN_FLIGHT_ROWS } from './load-measures';
import { ARRIVAL_HEADER } from './load-protocol';
import { emptyServerTimes, type ServerTimes } from './load-tally';
import { nowMs } from '../timing';

/** The pool's default per-device queue bound (the application does not set it). */
const DEFAULT_MAX_QUEUED_PER_DEVICE = 64;

export interface ServerSettings {
  /** AFD_MAX_QUEUED. */
  readonly maxQueued: number;
  /** The queue bound that binds: AFD_MAX_QUEUED or the pool's per-device bound × devices. */
  readonly effectiveQueue: number;
  readonly perDeviceQueue: number;
  readonly devices: number;
  /** UNet rows per job (2 with classifier-free guidance). */
  readonly rowsPerJob: number;
  /** Jobs the pool runs at once by default. */
  readonly inFlightJobs: number;
  /** AFD_RESULT_STORE_MB in bytes. */
  readonly storeBytes: number;
}

export interface LoadServer {
  readonly app: NestExpressApplication;
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly pool: InferencePool;
  readonly settings: ServerSettings;
}

/** Creates the application and listens on a free port of 127.0.0.1; the caller closes `app`. */
export async function startLoadServer(options: LoadBenchOptions): Promise<LoadServer> {
  const { app, config, baseUrl, apiKey } = await startBenchmarkServer('load-bench', {
    AFD_MAX_QUEUED: String(options.maxQueued),
    AFD_RESULT_STORE_MB: String(options.storeMb),
  });
  const poolConfig = app.get<InferencePoolConfig>(INFERENCE_POOL_CONFIG);
  const devices = poolConfig.devices?.length ?? 1;
  const perDeviceQueue = poolConfig.maxQueuedPerDevice ?? DEFAULT_MAX_QUEUED_PER_DEVICE;
  const rowsPerJob = unetRowsPerImage({ guidanceScale: GUIDANCE });
  const settings: ServerSettings = {
    maxQueued: config.pool.maxQueuedTotal,
    effectiveQueue: Math.min(config.pool.maxQueuedTotal, perDeviceQueue * devices),
    perDeviceQueue,
    devices,
    rowsPerJob,
    inFlightJobs: devices * Math.floor(DEFAULT_IN_FLIGHT_ROWS / rowsPerJob),
    storeBytes: config.results.resultStoreBytes,
  };
  return { app, baseUrl, apiKey, pool: app.get(InferencePool), settings };
}

/**
 * The server's times of POST /v1/generations answers while `on`: from the request event (headers
 * parsed) to the response's last byte handed to the socket, with the status and the client's arrival
 * index. The rest of a client's latency is the network stack, the time the request waited for the
 * server's event loop, and the client's own (latencyBreakdown splits it).
 */
export function watchServer(server: Server): { on: boolean; readonly times: ServerTimes } {
  const watch = { on: false, times: emptyServerTimes() };
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!watch.on || req.method !== 'POST' || !req.url?.startsWith('/v1/generations')) return;
    const receivedAt = nowMs();
    const header = req.headers[ARRIVAL_HEADER];
    const arrival = typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : NaN;
    res.once('finish', () => {
      const { times } = watch;
      times.arrival.push(arrival);
      times.status.push(res.statusCode);
      times.receivedAt.push(receivedAt);
      times.finishedAt.push(nowMs());
    });
  });
  return watch;
}

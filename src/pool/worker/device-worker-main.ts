/**
 * Entry of a device worker thread (started through worker-bootstrap.ts). All onnxruntime sessions
 * of one device live here, so `session.run()` never blocks the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DeviceRuntime } from './device-runtime';
import type { ToWorker, WorkerInit } from '../protocol/protocol';

const port = parentPort;
if (!port) throw new Error('device-worker-main must run in a worker thread');

// After its shutdown reply the worker closes its port: with no session and no listener left, the
// thread ends by itself (messages already posted are still delivered).
const runtime = new DeviceRuntime(
  (workerData as { init: WorkerInit }).init,
  (message, transfer) => port.postMessage(message, transfer ?? []),
  () => port.close(),
);
port.on('message', (message: ToWorker) => runtime.handle(message));
void runtime.start();

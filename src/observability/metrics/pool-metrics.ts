/**
 * The inference pool seen from Prometheus. Events (UNet calls, component loads and evictions,
 * worker exits) feed histograms and counters as they happen; queue depth, active sequences and
 * model memory are read from pool.stats() and pool.residency() at scrape time.
 *
 * Components are shared between checkpoints (a fine-tuned family shares its text encoder and VAE),
 * so memory is labelled by component kind and a short content hash, which the registry bounds;
 * `afd_checkpoint_component_info` maps checkpoints to those hashes.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { PoolEventBus } from '../../inference/pool-event-bus';
import type { DeviceResidency, InferencePool, PoolEvent, PoolStats } from '../../pool';
import { recentSnapshot } from './recent-snapshot';

/** Scrapes within this long of each other share one pool.stats() / pool.residency() round trip to the workers. */
const SNAPSHOT_MAX_AGE_MS = 1000;
/** A worker busy in a long call answers late; the scrape then keeps the last values rather than hang. */
const SNAPSHOT_TIMEOUT_MS = 2000;

const STEP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128];
const LOAD_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** First 12 hex digits of a component's sha256: short, and unique among a registry's components. */
export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}

type PoolReader = Pick<InferencePool, 'stats' | 'residency' | 'checkpoints'>;

export class PoolMetrics {
  private readonly unetStep: Histogram<'device' | 'checkpoint'>;
  private readonly unetRows: Histogram<'device' | 'checkpoint'>;
  private readonly unetSequences: Histogram<'device' | 'checkpoint'>;
  private readonly loads: Counter<'device' | 'component'>;
  private readonly loadFailures: Counter<'device' | 'component'>;
  private readonly evictions: Counter<'device' | 'component'>;
  private readonly unloads: Counter<'device' | 'component'>;
  private readonly loadSeconds: Histogram<'device' | 'component'>;
  private readonly workerExits: Counter<'device'>;
  private readonly unsubscribe: () => void;

  constructor(registry: Registry, pool: PoolReader, events: PoolEventBus) {
    const registers = [registry];
    const perCall = ['device', 'checkpoint'] as const;
    this.unetStep = new Histogram({ name: 'afd_unet_step_seconds', help: 'Duration of one batched UNet call (one denoising step of every sequence in it)', labelNames: perCall, buckets: STEP_BUCKETS, registers });
    this.unetRows = new Histogram({ name: 'afd_unet_batch_rows', help: 'Rows in one UNet call (a guided image counts two)', labelNames: perCall, buckets: BATCH_BUCKETS, registers });
    this.unetSequences = new Histogram({ name: 'afd_unet_batch_sequences', help: 'Images (sequences) in one UNet call', labelNames: perCall, buckets: BATCH_BUCKETS, registers });
    const perComponent = ['device', 'component'] as const;
    this.loads = new Counter({ name: 'afd_model_loads_total', help: 'Model components loaded into a device', labelNames: perComponent, registers });
    this.loadFailures = new Counter({ name: 'afd_model_load_failures_total', help: 'Model component loads that failed', labelNames: perComponent, registers });
    this.evictions = new Counter({ name: 'afd_model_evictions_total', help: 'Model components evicted to make room (least recently used)', labelNames: perComponent, registers });
    this.unloads = new Counter({ name: 'afd_model_unloads_total', help: 'Model components unloaded on request', labelNames: perComponent, registers });
    this.loadSeconds = new Histogram({ name: 'afd_model_load_seconds', help: 'Time to load one model component', labelNames: perComponent, buckets: LOAD_BUCKETS, registers });
    this.workerExits = new Counter({ name: 'afd_worker_exits_total', help: 'Device worker threads that stopped unexpectedly (they are restarted)', labelNames: ['device'], registers });

    const stats = recentSnapshot(() => pool.stats(), SNAPSHOT_MAX_AGE_MS, SNAPSHOT_TIMEOUT_MS);
    const residency = recentSnapshot(() => pool.residency(), SNAPSHOT_MAX_AGE_MS, SNAPSHOT_TIMEOUT_MS);
    const fromStats = (read: (s: PoolStats, set: (device: string, value: number) => void) => void) =>
      async function (this: Gauge<'device'>): Promise<void> {
        const snapshot = await stats();
        if (!snapshot) return;
        this.reset();
        read(snapshot, (device, value) => this.set({ device }, value));
      };
    new Gauge({
      name: 'afd_queue_depth',
      help: 'Jobs waiting in the pool queue of each device',
      labelNames: ['device'],
      registers,
      collect: fromStats((s, set) => s.devices.forEach((d) => set(d.device, d.queued))),
    });
    new Gauge({
      name: 'afd_running_jobs',
      help: 'Jobs handed to each device worker and not finished',
      labelNames: ['device'],
      registers,
      collect: fromStats((s, set) => s.devices.forEach((d) => set(d.device, d.runningJobs))),
    });
    new Gauge({
      name: 'afd_active_sequences',
      help: 'Images (denoising sequences) a device worker holds (absent while it restarts)',
      labelNames: ['device'],
      registers,
      collect: fromStats((s, set) => {
        for (const d of s.devices) if (d.activeSequences !== undefined) set(d.device, d.activeSequences);
      }),
    });
    new Gauge({
      name: 'afd_device_ready',
      help: '1 when the device worker is ready, 0 while starting, restarting, failed or closed',
      labelNames: ['device'],
      registers,
      collect: fromStats((s, set) => s.devices.forEach((d) => set(d.device, d.state === 'ready' ? 1 : 0))),
    });
    new Gauge({
      name: 'afd_model_memory_bytes',
      help: 'Memory the budget charges each resident model component (its measured cost, or its file bytes before it is measured), by device, component kind and short content hash',
      labelNames: ['device', 'component', 'hash'],
      registers,
      async collect() {
        const devices = await residency();
        if (!devices) return;
        this.reset();
        for (const d of devices) for (const c of d.components) this.set({ device: d.device, component: c.kind, hash: shortHash(c.hash) }, c.measuredBytes ?? c.bytes);
      },
    });
    new Gauge({
      name: 'afd_model_memory_budget_bytes',
      help: 'Model memory budget of each device (absent when unlimited)',
      labelNames: ['device'],
      registers,
      async collect() {
        const devices: DeviceResidency[] | undefined = await residency();
        if (!devices) return;
        this.reset();
        for (const d of devices) if (Number.isFinite(d.memoryBudgetBytes)) this.set({ device: d.device }, d.memoryBudgetBytes);
      },
    });
    new Gauge({
      name: 'afd_checkpoint_component_info',
      help: 'Which component (kind, short content hash) each checkpoint uses; always 1',
      labelNames: ['checkpoint', 'component', 'hash'],
      registers,
      collect() {
        this.reset();
        for (const c of pool.checkpoints()) {
          for (const [component, { hash }] of Object.entries(c.components)) this.set({ checkpoint: c.id, component, hash: shortHash(hash) }, 1);
        }
      },
    });
    this.unsubscribe = events.subscribe((event) => this.onEvent(event));
  }

  close(): void {
    this.unsubscribe();
  }

  private onEvent(event: PoolEvent): void {
    switch (event.type) {
      case 'unet-call': {
        const labels = { device: event.device, checkpoint: event.checkpointId };
        this.unetStep.observe(labels, event.durationMs / 1000);
        this.unetRows.observe(labels, event.rows);
        this.unetSequences.observe(labels, event.sequences);
        return;
      }
      case 'component-loaded': {
        const labels = { device: event.device, component: event.kind };
        this.loads.inc(labels);
        if (event.durationMs !== undefined) this.loadSeconds.observe(labels, event.durationMs / 1000);
        return;
      }
      case 'component-load-failed':
        this.loadFailures.inc({ device: event.device, component: event.kind });
        return;
      case 'component-evicted':
        this.evictions.inc({ device: event.device, component: event.kind });
        return;
      case 'component-unloaded':
        this.unloads.inc({ device: event.device, component: event.kind });
        return;
      case 'worker-exited':
        this.workerExits.inc({ device: event.device });
        return;
      default:
        return;
    }
  }
}

/** What the pool reports about itself: its checkpoints, each device's residency, and statistics. */
import type { Device, PoolState } from './pool-state';
import type { CheckpointDescriptor, DeviceResidency, DeviceStats, PoolStats } from './pool-types';
import type { ComponentName, DeviceResidencyReport, WorkerLiveStats } from '../protocol/protocol';

/** Every configured checkpoint in configuration order, with its status. */
export function describeCheckpoints(pool: PoolState): CheckpointDescriptor[] {
  return pool.config.checkpoints.map((config) => {
    const c = pool.checkpointsById.get(config.id);
    const error = pool.unavailable.get(config.id);
    const part = (kind: ComponentName) => ({ hash: c?.components[kind].hash ?? '', bytes: c?.components[kind].bytes ?? 0 });
    return {
      id: config.id,
      dir: config.dir,
      pinned: config.pinned,
      components: { text_encoder: part('text_encoder'), unet: part('unet'), vae_decoder: part('vae_decoder') },
      imageToImageProblem: c ? c.imageToImageProblem : 'its directory could not be read',
      status: error === undefined ? 'available' : 'unavailable',
      sizeMultiple: c?.sizeMultiple ?? 8,
      ...(error !== undefined ? { error } : {}),
    };
  });
}

/** A device's residency from its worker's report (empty when the worker could not answer). */
export function residencyOf(device: Device, report: DeviceResidencyReport | undefined): DeviceResidency {
  return {
    device: device.config.name,
    state: device.worker.state,
    memoryBudgetBytes: device.config.memoryBudgetBytes,
    usedBytes: report?.usedBytes ?? 0,
    components: report?.components ?? [],
    residentCheckpointIds: report?.residentCheckpointIds ?? [],
    measuredCheckpointBytes: report?.measuredCheckpointBytes ?? {},
  };
}

export async function poolStats(pool: PoolState): Promise<PoolStats> {
  const devices = await Promise.all(
    pool.devices.map(async (d): Promise<DeviceStats> => {
      const live = d.worker.state === 'ready' ? await d.worker.request<WorkerLiveStats>({ type: 'stats' }).catch(() => undefined) : undefined;
      return {
        device: d.config.name,
        state: d.worker.state,
        restarts: d.worker.restarts,
        queued: d.queue.size,
        runningJobs: d.running.size,
        inFlightRows: d.inFlightRows,
        ...(live
          ? { activeSequences: live.activeSequences, activeRows: live.activeRows, jobsWaitingForLoad: live.jobsWaitingForLoad, counters: live.counters }
          : {}),
        msPerRowStep: Math.round(d.msPerRowStep * 100) / 100,
      };
    }),
  );
  return {
    queued: pool.devices.reduce((n, d) => n + d.queue.size, 0),
    running: pool.devices.reduce((n, d) => n + d.running.size, 0),
    devices,
    totals: { ...pool.totals },
  };
}

/**
 * What a component costs resident, measured when the store creates its session: the budget charges
 * this instead of the bytes of its files (issue 21, item 4).
 *
 * - CPU: the growth of the process's resident set (RSS) across the session's creation. onnxruntime
 *   copies the weights into its own buffers and prepacks some of them (a real SD 1.5 UNet: about
 *   3.3 GB of files), so the session holds more than its files.
 * - CUDA: onnxruntime-node does not report the device memory a session allocates, and nvidia-smi
 *   (which the metrics layer samples, above the pool) sees every process on the card, so the cost
 *   stays the files' bytes there.
 *
 * Only creation is measured, not a first run: the store does not warm sessions, and what a run adds
 * (activations, the arena's growth) depends on the batch and the image size, not on the component.
 */
import type { DeviceSpec } from '../../engine/runtime/onnx-runtime';
import type { ComponentSpec } from '../protocol/protocol';

/**
 * Runs `create` (the creation of `component`'s session) and answers the bytes it was seen to take,
 * or 0 when it measures nothing. The store never charges less than the component's file bytes.
 */
export type MeasureResidentBytes = (create: () => Promise<void>, component: ComponentSpec) => Promise<number>;

/**
 * RSS growth across `create`, sampled right before and right after it. The resident set is the
 * process's, so an allocation elsewhere meanwhile (another device's worker loading, the main thread
 * encoding) counts too, and a free elsewhere hides some of the cost: the store floors the figure at
 * the file bytes and keeps the largest measured for a component (see component-store.ts).
 */
export const measureRssGrowth: MeasureResidentBytes = async (create) => {
  const before = process.memoryUsage.rss();
  await create();
  return Math.max(0, process.memoryUsage.rss() - before);
};

/** Creates without measuring: the cost stays the file bytes. */
export const measureNothing: MeasureResidentBytes = async (create) => {
  await create();
  return 0;
};

/** RSS growth on CPU; nothing (file bytes) on CUDA. */
export function residentCostProbe(device: DeviceSpec): MeasureResidentBytes {
  return device === 'cpu' ? measureRssGrowth : measureNothing;
}

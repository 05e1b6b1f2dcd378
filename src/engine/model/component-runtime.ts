/**
 * Session options per component, chosen by measurement (README, "Real-size models"; `npm run
 * bench:real`). On CPU, onnxruntime's arena keeps every activation buffer at its largest size after
 * a run. For the UNet, which runs every step, that is what makes a step fast: without it each step
 * maps and faults in its buffers again (sd15-shaped, 512 × 512: 3× slower). The VAE decoder and
 * encoder run once per image; their arena would keep a decode's activations (over 1 GB at
 * 512 × 512) resident beside the UNet's for nothing, so they return them to the system after each
 * run. An explicit `cpuArena` in the device's runtime options applies to every component.
 */
import type { RuntimeOptions } from '../runtime/onnx-runtime';
import type { LoadableComponent } from './model-directory';

const ONCE_PER_IMAGE: ReadonlySet<LoadableComponent> = new Set(['vae_decoder', 'vae_encoder']);

export function componentRuntime(kind: LoadableComponent, runtime: RuntimeOptions): RuntimeOptions {
  if (runtime.cpuArena !== undefined || runtime.device !== 'cpu' || !ONCE_PER_IMAGE.has(kind)) return runtime;
  return { ...runtime, cpuArena: false };
}

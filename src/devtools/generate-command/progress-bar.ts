/** A one-line progress bar for terminals; silent when output is not a TTY (logs, CI). */
import type { StepProgress } from '../../engine/pipeline/stable-diffusion-pipeline';

export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export function progressBar(stream: ProgressStream, width = 30): { update(p: StepProgress): void; finish(): void } {
  let drawn = false;
  return {
    update(p) {
      if (!stream.isTTY) return;
      const filled = Math.round((p.step / p.totalSteps) * width);
      const eta = p.step > 0 ? ((p.elapsedMs / p.step) * (p.totalSteps - p.step)) / 1000 : 0;
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] step ${p.step}/${p.totalSteps}  t=${Math.round(p.timestep)}  ${(p.elapsedMs / 1000).toFixed(1)}s  ETA ${eta.toFixed(1)}s `);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\n');
    },
  };
}

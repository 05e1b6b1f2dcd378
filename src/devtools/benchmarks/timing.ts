/** Small timing helpers shared by the benchmarks. */
import type { TensorRunner } from '../../engine/runtime/onnx-runtime';
import type { Tensor } from '../../engine/runtime/tensor';

export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Wraps a runner and records how long each run spends inside onnxruntime. */
export class TimedRunner implements TensorRunner {
  readonly runMs: number[] = [];
  constructor(private readonly inner: TensorRunner) {}

  async run(feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
    const start = nowMs();
    const out = await this.inner.run(feeds);
    this.runMs.push(nowMs() - start);
    return out;
  }

  get lastMs(): number {
    return this.runMs[this.runMs.length - 1] ?? 0;
  }
}

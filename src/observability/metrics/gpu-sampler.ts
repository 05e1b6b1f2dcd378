/**
 * Samples the GPUs with nvidia-smi every few seconds (execFile, no shell, with a timeout). Where
 * there is no nvidia-smi or no GPU, it says so in one log line and reports no series: without the
 * tool it stops trying; after another failure it keeps trying quietly (a driver may come back).
 * Its timer never keeps the process alive.
 */
import { execFile } from 'node:child_process';
import { NVIDIA_SMI_ARGS, parseNvidiaSmi, type GpuSample } from './nvidia-smi-parser';

/** Runs the query and resolves with its standard output. */
export type GpuQuery = () => Promise<string>;

export interface GpuSamplerOptions {
  readonly intervalMs: number;
  readonly query: GpuQuery;
  readonly onSample: (samples: readonly GpuSample[]) => void;
  /** No GPU data (any more): drop the series. */
  readonly onUnavailable: () => void;
  readonly log: (message: string) => void;
}

const NVIDIA_SMI_TIMEOUT_MS = 5000;

export function runNvidiaSmi(timeoutMs = NVIDIA_SMI_TIMEOUT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('nvidia-smi', NVIDIA_SMI_ARGS, { timeout: timeoutMs, maxBuffer: 1 << 20, windowsHide: true }, (error, stdout) =>
      error ? reject(error) : resolve(String(stdout)),
    );
  });
}

export class GpuSampler {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private sampling = false;
  private saidUnavailable = false;

  constructor(private readonly options: GpuSamplerOptions) {}

  /** Samples now and then every intervalMs (nothing when intervalMs is 0). */
  start(): void {
    if (this.options.intervalMs <= 0 || this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.sample(), this.options.intervalMs);
    this.timer.unref();
    void this.sample();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One sample (a sample still running makes this a no-op). Never rejects. */
  async sample(): Promise<void> {
    if (this.sampling || this.stopped) return;
    this.sampling = true;
    try {
      const samples = parseNvidiaSmi(await this.options.query());
      if (this.stopped) return;
      if (samples.length > 0) this.options.onSample(samples);
      else this.unavailable('nvidia-smi reported no GPU');
    } catch (error) {
      if (this.stopped) return;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.unavailable('nvidia-smi was not found');
        this.stop();
      } else {
        this.unavailable(`nvidia-smi failed: ${firstLine(error)}`);
      }
    } finally {
      this.sampling = false;
    }
  }

  private unavailable(reason: string): void {
    this.options.onUnavailable();
    if (this.saidUnavailable) return;
    this.saidUnavailable = true;
    this.options.log(`GPU metrics off: ${reason}`);
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? '').slice(0, 200);
}

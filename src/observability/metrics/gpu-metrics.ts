/** GPU memory and utilisation from nvidia-smi samples; no series at all where there is no GPU. */
import { Gauge, type Registry } from 'prom-client';
import type { GpuSample } from './nvidia-smi-parser';

export class GpuMetrics {
  private readonly used: Gauge<'gpu'>;
  private readonly total: Gauge<'gpu'>;
  private readonly utilization: Gauge<'gpu'>;
  private readonly info: Gauge<'gpu' | 'uuid' | 'name'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.used = new Gauge({ name: 'afd_gpu_memory_used_bytes', help: 'GPU memory in use (all processes), from nvidia-smi', labelNames: ['gpu'], registers });
    this.total = new Gauge({ name: 'afd_gpu_memory_total_bytes', help: 'GPU memory in total, from nvidia-smi', labelNames: ['gpu'], registers });
    this.utilization = new Gauge({ name: 'afd_gpu_utilization_ratio', help: 'GPU utilisation over the last sample period (0 to 1), from nvidia-smi', labelNames: ['gpu'], registers });
    this.info = new Gauge({ name: 'afd_gpu_info', help: 'Each GPU nvidia-smi reports, by index, UUID and name; always 1', labelNames: ['gpu', 'uuid', 'name'], registers });
  }

  /** Replaces every series with the sample's. */
  update(samples: readonly GpuSample[]): void {
    this.clear();
    for (const s of samples) {
      const labels = { gpu: s.gpu };
      if (s.memoryUsedBytes !== undefined) this.used.set(labels, s.memoryUsedBytes);
      if (s.memoryTotalBytes !== undefined) this.total.set(labels, s.memoryTotalBytes);
      if (s.utilizationRatio !== undefined) this.utilization.set(labels, s.utilizationRatio);
      this.info.set({ gpu: s.gpu, uuid: s.uuid ?? '', name: s.name ?? '' }, 1);
    }
  }

  clear(): void {
    this.used.reset();
    this.total.reset();
    this.utilization.reset();
    this.info.reset();
  }
}

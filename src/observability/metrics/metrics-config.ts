/** What the metrics module needs from the application's configuration. */
export interface MetricsConfig {
  readonly host: string;
  /** 0: /metrics on the main HTTP port; otherwise on this port only. */
  readonly metricsPort: number;
  /** nvidia-smi sampling period; 0 turns GPU sampling off. */
  readonly gpuSampleSeconds: number;
}

export const METRICS_CONFIG = Symbol('METRICS_CONFIG');

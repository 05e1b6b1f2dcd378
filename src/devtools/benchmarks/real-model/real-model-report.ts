/** What one `bench:real` run measures, and how it prints. */

export interface PhaseFigure {
  readonly phase: string;
  readonly ms: number;
  /** Peak resident memory during the phase, bytes. */
  readonly peakRssBytes: number;
  /** Resident memory when the phase ended, bytes. */
  readonly endRssBytes: number;
}

export interface RealRunReport {
  readonly size: number;
  readonly steps: number;
  readonly guidance: number;
  readonly runtime: Readonly<Record<string, unknown>>;
  /** What the optimised-graph cache did per component (off, written, hit). */
  readonly optimizedGraphCache: Readonly<Record<string, string>>;
  readonly vaeDecoding: string;
  /** File bytes of the components loaded (graphs and external weights). */
  readonly weightBytes: number;
  readonly baselineRssBytes: number;
  readonly phases: readonly PhaseFigure[];
  readonly unetStepMs: readonly number[];
  readonly peakRssBytes: number;
  readonly peakRssPerWeight: number;
  readonly peakResettable: boolean;
  /** Of the decoded RGB pixels: equal hashes, byte-identical images. */
  readonly imageSha256: string;
}

export function gb(bytes: number): string {
  return (bytes / 1e9).toFixed(2);
}

export function formatRun(run: RealRunReport): string[] {
  const lines = [
    `${run.size}x${run.size}, ${run.steps} steps, guidance ${run.guidance}, runtime ${JSON.stringify(run.runtime)}, VAE ${run.vaeDecoding}`,
    `  weights ${gb(run.weightBytes)} GB; RSS before loading ${gb(run.baselineRssBytes)} GB; optimised-graph cache ${JSON.stringify(run.optimizedGraphCache)}`,
    `  ${'phase'.padEnd(22)}${'time'.padStart(11)}${'peak RSS'.padStart(12)}${'RSS after'.padStart(12)}`,
  ];
  for (const p of run.phases) {
    lines.push(`  ${p.phase.padEnd(22)}${`${(p.ms / 1000).toFixed(2)} s`.padStart(11)}${`${gb(p.peakRssBytes)} GB`.padStart(12)}${`${gb(p.endRssBytes)} GB`.padStart(12)}`);
  }
  const steps = [...run.unetStepMs].sort((a, b) => a - b);
  const median = steps[steps.length >> 1] ?? 0;
  lines.push(`  UNet step: median ${(median / 1000).toFixed(2)} s, first ${((run.unetStepMs[0] ?? 0) / 1000).toFixed(2)} s`);
  lines.push(`  peak RSS ${gb(run.peakRssBytes)} GB = ${run.peakRssPerWeight.toFixed(2)} x weights${run.peakResettable ? '' : ' (peak since start: /proc not available)'}`);
  lines.push(`  image sha256 ${run.imageSha256.slice(0, 16)}…`);
  return lines;
}

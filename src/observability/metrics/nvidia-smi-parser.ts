/**
 * Reads `nvidia-smi --query-gpu=index,uuid,name,memory.used,memory.total,utilization.gpu
 * --format=csv,noheader,nounits`: one line per GPU, values by position (columns after the sixth
 * are ignored). A value nvidia-smi cannot give (`[N/A]`, `[Not Supported]`, e.g. utilisation on
 * MIG) is left out; a line without a GPU index or without any usable value is skipped, never thrown.
 */
export const NVIDIA_SMI_FIELDS = ['index', 'uuid', 'name', 'memory.used', 'memory.total', 'utilization.gpu'] as const;
export const NVIDIA_SMI_ARGS: readonly string[] = [`--query-gpu=${NVIDIA_SMI_FIELDS.join(',')}`, '--format=csv,noheader,nounits'];

export interface GpuSample {
  /** nvidia-smi's index, e.g. "0". */
  readonly gpu: string;
  readonly uuid?: string;
  readonly name?: string;
  readonly memoryUsedBytes?: number;
  readonly memoryTotalBytes?: number;
  /** 0 to 1. */
  readonly utilizationRatio?: number;
}

const MIB = 1024 * 1024;
/** Labels stay short and printable whatever the tool prints. */
const MAX_TEXT_LENGTH = 64;

export function parseNvidiaSmi(output: string): GpuSample[] {
  const samples: GpuSample[] = [];
  const seen = new Set<string>();
  for (const line of output.split(/\r?\n/)) {
    const sample = parseLine(line);
    if (!sample || seen.has(sample.gpu)) continue;
    seen.add(sample.gpu);
    samples.push(sample);
  }
  return samples;
}

function parseLine(line: string): GpuSample | undefined {
  const fields = line.split(',').map((f) => f.trim());
  if (fields.length < NVIDIA_SMI_FIELDS.length) return undefined;
  const [index, uuid, name, used, total, utilization] = fields as [string, string, string, string, string, string];
  if (!/^\d{1,3}$/.test(index)) return undefined;
  const usedMiB = number(used);
  const totalMiB = number(total);
  const percent = number(utilization);
  const sample: GpuSample = {
    gpu: String(Number(index)),
    ...(/^(GPU|MIG)-[0-9A-Za-z-]{1,60}$/.test(uuid) ? { uuid } : {}),
    ...(text(name) !== undefined ? { name: text(name) } : {}),
    ...(usedMiB !== undefined ? { memoryUsedBytes: usedMiB * MIB } : {}),
    ...(totalMiB !== undefined && totalMiB > 0 ? { memoryTotalBytes: totalMiB * MIB } : {}),
    ...(percent !== undefined && percent <= 100 ? { utilizationRatio: percent / 100 } : {}),
  };
  const usable = sample.memoryUsedBytes !== undefined || sample.memoryTotalBytes !== undefined || sample.utilizationRatio !== undefined;
  return usable ? sample : undefined;
}

/** A plain non-negative decimal, else undefined ("[N/A]", "[Not Supported]", "", garbage). */
function number(field: string): number | undefined {
  return /^\d+(\.\d+)?$/.test(field) ? Number(field) : undefined;
}

function text(field: string): string | undefined {
  const printable = field.replace(/[^\x20-\x7e]/g, '').slice(0, MAX_TEXT_LENGTH);
  return printable.length > 0 && !/^\[.*\]$/.test(printable) ? printable : undefined;
}

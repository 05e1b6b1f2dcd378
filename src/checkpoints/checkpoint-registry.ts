/**
 * The checkpoints the server offers: from a registry file (JSON) or, without one, the embedded
 * demo release (a baseline and five fine-tuned checkpoints that differ only in their UNet).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEMO_CHECKPOINTS, demoCheckpointDir, ensureDemoRelease } from '../model-generator/demo';

export interface CheckpointEntry {
  readonly id: string;
  readonly label: string;
  readonly baseModel: string;
  /** Fine-tuning steps; 0 for the base model. */
  readonly trainingStep: number;
  readonly path: string;
  readonly default: boolean;
  readonly pinned: boolean;
  readonly promptTemplate?: string;
}

export class RegistryError extends Error {
  constructor(where: string, rule: string) {
    super(`checkpoint registry ${where}: ${rule}`);
    this.name = 'RegistryError';
  }
}

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function loadRegistry(file: string | undefined): CheckpointEntry[] {
  return file ? readRegistryFile(file) : embeddedRegistry();
}

export function embeddedRegistry(): CheckpointEntry[] {
  const release = ensureDemoRelease();
  return DEMO_CHECKPOINTS.map((c) => ({
    id: c.name,
    label: c.step === 0 ? 'Baseline (demo of Stable Diffusion v1.4)' : c.name === 'final' ? 'Final (demo)' : `Checkpoint ${c.step / 1000}k (demo)`,
    baseModel: 'demo-sd-v1-4',
    trainingStep: c.step,
    path: demoCheckpointDir(release, c.name),
    default: c.name === 'final',
    pinned: c.name === 'final',
  }));
}

function readRegistryFile(file: string): CheckpointEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new RegistryError(file, `cannot be read as JSON (${(error as Error).message})`);
  }
  const list = (raw as { checkpoints?: unknown })?.checkpoints;
  if (!Array.isArray(list) || list.length === 0) throw new RegistryError(file, 'must be an object with a non-empty "checkpoints" array');
  const entries = list.map((item, i) => parseEntry(item, `${file} checkpoints[${i}]`, dirname(resolve(file))));
  const ids = new Set<string>();
  for (const e of entries) {
    if (ids.has(e.id)) throw new RegistryError(file, `checkpoint id "${e.id}" appears twice`);
    ids.add(e.id);
  }
  const defaults = entries.filter((e) => e.default).length;
  if (defaults > 1) throw new RegistryError(file, 'at most one checkpoint may be the default');
  if (defaults === 0) return entries.map((e, i) => (i === 0 ? { ...e, default: true } : e));
  return entries;
}

function parseEntry(item: unknown, where: string, baseDir: string): CheckpointEntry {
  if (item === null || typeof item !== 'object') throw new RegistryError(where, 'must be an object');
  const o = item as Record<string, unknown>;
  const text = (key: string, required: boolean): string | undefined => {
    const v = o[key];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || v.length === 0) throw new RegistryError(`${where}.${key}`, 'must be a non-empty string');
    return v;
  };
  const id = text('id', true) as string;
  if (!ID.test(id)) throw new RegistryError(`${where}.id`, 'must be 1-64 lowercase letters, digits, ".", "_" or "-"');
  const path = resolve(baseDir, text('path', true) as string);
  if (!existsSync(path)) throw new RegistryError(`${where}.path`, `${path} does not exist`);
  const step = o['trainingStep'] ?? 0;
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) throw new RegistryError(`${where}.trainingStep`, 'must be a non-negative integer');
  const flag = (key: string): boolean => {
    const v = o[key] ?? false;
    if (typeof v !== 'boolean') throw new RegistryError(`${where}.${key}`, 'must be true or false');
    return v;
  };
  return {
    id,
    label: text('label', false) ?? id,
    baseModel: text('baseModel', false) ?? 'stable-diffusion-v1-4',
    trainingStep: step,
    path,
    default: flag('default'),
    pinned: flag('pinned'),
    promptTemplate: text('promptTemplate', false),
  };
}

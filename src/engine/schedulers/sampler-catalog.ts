/**
 * What each sampler id stands for: its diffusers class and `from_config` keyword arguments, the
 * names AUTOMATIC1111's web UI shows for it, and the facts a client picks a sampler by. Requests
 * may name a sampler by id or by one of these display names; `resolveSchedulerName` maps both to
 * the id.
 */
import type { RawSchedulerConfig } from './config-reader';
import { SCHEDULER_CLASS_NAMES, SCHEDULER_NAMES, type SchedulerName } from './scheduler';

export interface SamplerDescription {
  readonly id: SchedulerName;
  /** The diffusers scheduler class. */
  readonly className: string;
  /**
   * Keyword arguments diffusers' `Class.from_config(config, **kwargs)` gets for this id: they win
   * over the model's scheduler_config.json (the Karras ids force `use_karras_sigmas`).
   */
  readonly configOverrides: RawSchedulerConfig;
  /** AUTOMATIC1111's names for it (web UI before 1.6, when the schedule was part of the name); the first is the label images carry. */
  readonly a1111Names: readonly string[];
  /** Other display names accepted (diffusers' or the paper's). */
  readonly aliases: readonly string[];
  /**
   * The solver's order with the default config: past model outputs a multistep solver combines
   * (PNDM and LMS 4, DPM-Solver++ 2M, UniPC and DEIS 2), or stages of a second-order step (Heun, DPM2).
   */
  readonly order: number;
  /** UNet evaluations per denoising step: 2 for Heun and DPM2, which call it 2N − 1 times for N steps (the last step is first order). */
  readonly unetEvaluationsPerStep: 1 | 2;
  /** Draws fresh noise from the request's generator at every step (ancestral and SDE samplers). */
  readonly stochastic: boolean;
  /** Uses Karras et al. (2022) sigmas whatever the model's config says. */
  readonly karras: boolean;
}

type Entry = Omit<SamplerDescription, 'id' | 'className'>;

const KARRAS = { use_karras_sigmas: true } as const;
const SDE = { algorithm_type: 'sde-dpmsolver++' } as const;

const ENTRIES: Readonly<Record<SchedulerName, Entry>> = {
  pndm: { configOverrides: {}, a1111Names: ['PLMS'], aliases: ['PNDM'], order: 4, unetEvaluationsPerStep: 1, stochastic: false, karras: false },
  ddim: { configOverrides: {}, a1111Names: ['DDIM'], aliases: [], order: 1, unetEvaluationsPerStep: 1, stochastic: false, karras: false },
  euler: { configOverrides: {}, a1111Names: ['Euler'], aliases: [], order: 1, unetEvaluationsPerStep: 1, stochastic: false, karras: false },
  'euler-a': { configOverrides: {}, a1111Names: ['Euler a'], aliases: ['Euler ancestral'], order: 1, unetEvaluationsPerStep: 1, stochastic: true, karras: false },
  'dpm++2m': { configOverrides: {}, a1111Names: ['DPM++ 2M'], aliases: [], order: 2, unetEvaluationsPerStep: 1, stochastic: false, karras: false },
  lms: { configOverrides: {}, a1111Names: ['LMS'], aliases: [], order: 4, unetEvaluationsPerStep: 1, stochastic: false, karras: false },
  'dpm++2m-karras': { configOverrides: KARRAS, a1111Names: ['DPM++ 2M Karras'], aliases: [], order: 2, unetEvaluationsPerStep: 1, stochastic: false, karras: true },
  'dpm++2m-sde': { configOverrides: SDE, a1111Names: ['DPM++ 2M SDE'], aliases: [], order: 2, unetEvaluationsPerStep: 1, stochastic: true, karras: false },
  'dpm++2m-sde-karras': { configOverrides: { ...SDE, ...KARRAS }, a1111Names: ['DPM++ 2M SDE Karras'], aliases: [], order: 2, unetEvaluationsPerStep: 1, stochastic: true, karras: true },
  // AUTOMATIC1111 1.6+ shows this as sampler "Euler" with schedule type "Karras".
  'euler-karras': { configOverrides: KARRAS, a1111Names: [], aliases: ['Euler Karras'], order: 1, unetEvaluationsPerStep: 1, stochastic: false, karras: true },
  'lms-karras': { configOverrides: KARRAS, a1111Names: ['LMS Karras'], aliases: [], order: 4, unetEvaluationsPerStep: 1, stochastic: false, karras: true },
  heun: { configOverrides: {}, a1111Names: ['Heun'], aliases: [], order: 2, unetEvaluationsPerStep: 2, stochastic: false, karras: false },
  dpm2: { configOverrides: {}, a1111Names: ['DPM2'], aliases: [], order: 2, unetEvaluationsPerStep: 2, stochastic: false, karras: false },
  'dpm2-karras': { configOverrides: KARRAS, a1111Names: ['DPM2 Karras'], aliases: [], order: 2, unetEvaluationsPerStep: 2, stochastic: false, karras: true },
  unipc: { configOverrides: {}, a1111Names: ['UniPC'], aliases: [], order: 2, unetEvaluationsPerStep: 1, stochastic: false, karras: false },
  deis: { configOverrides: {}, a1111Names: [], aliases: ['DEIS'], order: 2, unetEvaluationsPerStep: 1, stochastic: false, karras: false },
};

/** Every sampler, in SCHEDULER_NAMES order. */
export const SAMPLERS: readonly SamplerDescription[] = SCHEDULER_NAMES.map((id) => Object.freeze({ id, className: SCHEDULER_CLASS_NAMES[id], ...ENTRIES[id] }));

const BY_NAME = new Map<string, SchedulerName>();
for (const s of SAMPLERS) for (const name of [s.id, ...s.a1111Names, ...s.aliases]) BY_NAME.set(name, s.id);

/** Every spelling a request may use: the ids, then the display names (exact, case included). */
export const SCHEDULER_INPUT_NAMES: readonly string[] = [...SCHEDULER_NAMES, ...SAMPLERS.flatMap((s) => [...s.a1111Names, ...s.aliases])];

/** The id for an id or display name ("DPM++ 2M Karras" → dpm++2m-karras); undefined for anything else. */
export function resolveSchedulerName(input: unknown): SchedulerName | undefined {
  return typeof input === 'string' ? BY_NAME.get(input) : undefined;
}

export function describeSampler(id: SchedulerName): SamplerDescription {
  return SAMPLERS[SCHEDULER_NAMES.indexOf(id)] as SamplerDescription;
}

/** The label an image's `parameters` text carries (AUTOMATIC1111's name where it has one). */
export function samplerLabel(id: SchedulerName): string {
  const s = describeSampler(id);
  return s.a1111Names[0] ?? s.aliases[0] ?? id;
}

/**
 * The config diffusers' `from_config(config, **overrides)` reads: the overrides win, and a key they
 * set is no longer one diffusers filled with its default (`_use_default_values`).
 */
export function withConfigOverrides(raw: RawSchedulerConfig, overrides: RawSchedulerConfig): RawSchedulerConfig {
  const keys = Object.keys(overrides);
  if (keys.length === 0) return raw;
  const out: Record<string, unknown> = { ...raw, ...overrides };
  const defaulted = raw['_use_default_values'];
  if (Array.isArray(defaulted)) out['_use_default_values'] = defaulted.filter((k) => !keys.includes(k as string));
  return out;
}

/** UNet calls a generation of `steps` steps makes with `id` (PNDM's warm-up and schedule length aside). */
export function unetEvaluations(id: SchedulerName, steps: number): number {
  return describeSampler(id).unetEvaluationsPerStep === 2 ? 2 * steps - 1 : steps;
}

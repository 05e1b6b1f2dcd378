import type { RawSchedulerConfig } from './config-reader';
import { DdimScheduler } from './ddim-scheduler';
import type { DdimOptions } from './ddim-scheduler';
import { DpmSolverMultistepScheduler } from './dpm-solver-multistep-scheduler';
import { EulerAncestralDiscreteScheduler } from './euler-ancestral-scheduler';
import { EulerDiscreteScheduler } from './euler-scheduler';
import type { EulerOptions } from './euler-scheduler';
import { LmsDiscreteScheduler } from './lms-scheduler';
import { PndmScheduler } from './pndm-scheduler';
import { HeunDiscreteScheduler } from './heun-scheduler';
import { Kdpm2DiscreteScheduler } from './kdpm2-scheduler';
import { UniPcMultistepScheduler } from './unipc-scheduler';
import { DeisMultistepScheduler } from './deis-scheduler';
import { describeSampler, resolveSchedulerName, withConfigOverrides } from './sampler-catalog';
import { readDeisConfig, readHeunConfig, readKdpm2Config, readUniPcConfig } from './second-order-and-unipc-configs';
import { SCHEDULER_NAMES } from './scheduler';
import type { Scheduler, SchedulerName } from './scheduler';
import {
  readDdimConfig,
  readDpmSolverConfig,
  readEulerAncestralConfig,
  readEulerConfig,
  readLmsConfig,
  readPndmConfig,
} from './scheduler-config';

/**
 * Per-generation sampler arguments that diffusers passes to `step()` rather than keeping in the
 * config. Each scheduler reads the ones it takes and ignores the rest (as the SD pipeline passes
 * `eta` to every scheduler and only DDIM uses it).
 */
export interface SchedulerOptions extends DdimOptions, EulerOptions {}

/** A bad `scheduler` request value; `field` names the request field. */
export class SchedulerNameError extends Error {
  readonly field = 'scheduler';
  readonly allowed: readonly SchedulerName[] = SCHEDULER_NAMES;

  constructor(value: unknown) {
    super(
      `scheduler must be one of ${SCHEDULER_NAMES.map((n) => `"${n}"`).join(', ')} or an AUTOMATIC1111 sampler name ` +
        `such as "DPM++ 2M Karras", got ${describeValue(value)}`,
    );
    this.name = 'SchedulerNameError';
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (value === undefined) return 'nothing';
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** The scheduler a request asks for: an id (SCHEDULER_NAMES) or a display name such as "DPM++ 2M Karras" (exact spelling). */
export function parseSchedulerName(input: unknown): SchedulerName {
  const id = resolveSchedulerName(input);
  if (id === undefined) throw new SchedulerNameError(input);
  return id;
}

/**
 * A fresh scheduler object for one generation (its state is its own, so generations can be
 * interleaved). `rawConfig` is the model directory's `scheduler_config.json`, whatever class it
 * was written for; it is read with the keys and defaults of `name`'s diffusers class, like
 * `Class.from_config(config)`. Throws SchedulerConfigError for config values that class rejects
 * and RangeError for bad options; call setTimesteps() before stepping.
 */
export function createScheduler(name: SchedulerName, rawConfig: object, options: SchedulerOptions = {}): Scheduler {
  // Untyped callers may pass anything.
  if (!(SCHEDULER_NAMES as readonly string[]).includes(name)) throw new SchedulerNameError(name);
  // The Karras and SDE ids are their class with from_config keyword arguments.
  const raw = withConfigOverrides(rawConfig as RawSchedulerConfig, describeSampler(name).configOverrides);
  switch (name) {
    case 'pndm':
      return new PndmScheduler(readPndmConfig(raw));
    case 'ddim':
      return new DdimScheduler(readDdimConfig(raw), { eta: options.eta });
    case 'euler':
    case 'euler-karras':
      return new EulerDiscreteScheduler(readEulerConfig(raw), options, name);
    case 'euler-a':
      return new EulerAncestralDiscreteScheduler(readEulerAncestralConfig(raw));
    case 'dpm++2m':
    case 'dpm++2m-karras':
    case 'dpm++2m-sde':
    case 'dpm++2m-sde-karras':
      return new DpmSolverMultistepScheduler(readDpmSolverConfig(raw), name);
    case 'lms':
    case 'lms-karras':
      return new LmsDiscreteScheduler(readLmsConfig(raw), name);
    case 'heun':
      return new HeunDiscreteScheduler(readHeunConfig(raw));
    case 'dpm2':
    case 'dpm2-karras':
      return new Kdpm2DiscreteScheduler(readKdpm2Config(raw), name);
    case 'unipc':
      return new UniPcMultistepScheduler(readUniPcConfig(raw));
    case 'deis':
      return new DeisMultistepScheduler(readDeisConfig(raw));
    default: {
      // Reached only from untyped callers.
      const unknownName: never = name;
      throw new SchedulerNameError(unknownName);
    }
  }
}

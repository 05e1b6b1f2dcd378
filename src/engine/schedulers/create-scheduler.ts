import type { RawSchedulerConfig } from './config-reader';
import { DdimScheduler } from './ddim-scheduler';
import type { DdimOptions } from './ddim-scheduler';
import { DpmSolverMultistepScheduler } from './dpm-solver-multistep-scheduler';
import { EulerAncestralDiscreteScheduler } from './euler-ancestral-scheduler';
import { EulerDiscreteScheduler } from './euler-scheduler';
import type { EulerOptions } from './euler-scheduler';
import { LmsDiscreteScheduler } from './lms-scheduler';
import { PndmScheduler } from './pndm-scheduler';
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
      `scheduler must be one of ${SCHEDULER_NAMES.map((n) => `"${n}"`).join(', ')}, got ${describeValue(value)}`,
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

/** The scheduler a request asks for; exact names only (see SCHEDULER_NAMES). */
export function parseSchedulerName(input: unknown): SchedulerName {
  if (typeof input === 'string' && (SCHEDULER_NAMES as readonly string[]).includes(input)) {
    return input as SchedulerName;
  }
  throw new SchedulerNameError(input);
}

/**
 * A fresh scheduler object for one generation (its state is its own, so generations can be
 * interleaved). `rawConfig` is the model directory's `scheduler_config.json`, whatever class it
 * was written for; it is read with the keys and defaults of `name`'s diffusers class, like
 * `Class.from_config(config)`. Throws SchedulerConfigError for config values that class rejects
 * and RangeError for bad options; call setTimesteps() before stepping.
 */
export function createScheduler(name: SchedulerName, rawConfig: object, options: SchedulerOptions = {}): Scheduler {
  const raw = rawConfig as RawSchedulerConfig;
  switch (name) {
    case 'pndm':
      return new PndmScheduler(readPndmConfig(raw));
    case 'ddim':
      return new DdimScheduler(readDdimConfig(raw), { eta: options.eta });
    case 'euler':
      return new EulerDiscreteScheduler(readEulerConfig(raw), options);
    case 'euler-a':
      return new EulerAncestralDiscreteScheduler(readEulerAncestralConfig(raw));
    case 'dpm++2m':
      return new DpmSolverMultistepScheduler(readDpmSolverConfig(raw));
    case 'lms':
      return new LmsDiscreteScheduler(readLmsConfig(raw));
    default: {
      // Reached only from untyped callers.
      const unknownName: never = name;
      throw new SchedulerNameError(unknownName);
    }
  }
}

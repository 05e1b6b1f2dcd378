export { SCHEDULER_CLASS_NAMES, SCHEDULER_NAMES } from './scheduler';
export type { Scheduler, SchedulerName } from './scheduler';
export { ConfigReader, SchedulerConfigError } from './config-reader';
export type { RawSchedulerConfig } from './config-reader';
export { SchedulerUsageError } from './common';
export type { BetaSchedule, TimestepSpacing } from './common';
export {
  readDdimConfig,
  readDpmSolverConfig,
  readEulerAncestralConfig,
  readEulerConfig,
  readLmsConfig,
  readPndmConfig,
} from './scheduler-config';
export { readSchedulerConfig } from './read-scheduler-config';
export type {
  DdimSchedulerConfig,
  DpmSolverSchedulerConfig,
  EulerAncestralSchedulerConfig,
  EulerSchedulerConfig,
  LmsSchedulerConfig,
  PndmSchedulerConfig,
  PredictionType,
  SchedulerConfigMap,
} from './scheduler-config';
export { PndmScheduler } from './pndm-scheduler';
export { DdimScheduler } from './ddim-scheduler';
export type { DdimOptions } from './ddim-scheduler';
export { EulerDiscreteScheduler } from './euler-scheduler';
export type { EulerOptions } from './euler-scheduler';
export { EulerAncestralDiscreteScheduler } from './euler-ancestral-scheduler';
export { DpmSolverMultistepScheduler } from './dpm-solver-multistep-scheduler';
export { LmsDiscreteScheduler } from './lms-scheduler';
export { SchedulerNameError, createScheduler, parseSchedulerName } from './create-scheduler';
export type { SchedulerOptions } from './create-scheduler';
export { HeunDiscreteScheduler } from './heun-scheduler';
export { Kdpm2DiscreteScheduler } from './kdpm2-scheduler';
export { UniPcMultistepScheduler } from './unipc-scheduler';
export { DeisMultistepScheduler } from './deis-scheduler';
export { readDeisConfig, readHeunConfig, readKdpm2Config, readUniPcConfig } from './second-order-and-unipc-configs';
export type { DeisSchedulerConfig, HeunSchedulerConfig, Kdpm2SchedulerConfig, UniPcSchedulerConfig } from './second-order-and-unipc-configs';
export {
  SAMPLERS,
  SCHEDULER_INPUT_NAMES,
  describeSampler,
  resolveSchedulerName,
  samplerLabel,
  unetEvaluations,
} from './sampler-catalog';
export type { SamplerDescription } from './sampler-catalog';

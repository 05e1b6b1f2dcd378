import { BETA_SCHEDULES, TIMESTEP_SPACINGS } from './common';
import type { BetaSchedule, BetaScheduleConfig, TimestepSpacing } from './common';
import { ConfigReader, SchedulerConfigError, isFalsy } from './config-reader';
import type { RawSchedulerConfig } from './config-reader';
import type { DeisSchedulerConfig, HeunSchedulerConfig, Kdpm2SchedulerConfig, UniPcSchedulerConfig } from './second-order-and-unipc-configs';

/**
 * Parsed scheduler configs, one per diffusers class, read the way `Class.from_config(config)`
 * reads them: the class's own keys with the class's own defaults; keys listed in
 * `_use_default_values` and keys the class does not take are ignored. So SD's PNDMScheduler
 * config used for Euler keeps its betas and steps_offset but gets Euler's "linspace" spacing.
 *
 * Values diffusers would reject (or crash on) throw SchedulerConfigError naming the key; options
 * this server does not implement throw it too, unless set to their inactive value.
 */

export type PredictionType = 'epsilon' | 'v_prediction' | 'sample';

export interface SpacingConfig {
  readonly timestepSpacing: TimestepSpacing;
  readonly stepsOffset: number;
}

export interface CommonSchedulerConfig extends BetaScheduleConfig, SpacingConfig {
  readonly predictionType: PredictionType;
}

export interface PndmSchedulerConfig extends CommonSchedulerConfig {
  readonly predictionType: 'epsilon' | 'v_prediction';
  readonly skipPrkSteps: boolean;
  readonly setAlphaToOne: boolean;
}

export interface DdimSchedulerConfig extends CommonSchedulerConfig {
  readonly clipSample: boolean;
  readonly clipSampleRange: number;
  readonly setAlphaToOne: boolean;
}

export type FinalSigmasType = 'zero' | 'sigma_min';

export interface EulerSchedulerConfig extends CommonSchedulerConfig {
  readonly useKarrasSigmas: boolean;
  readonly sigmaMin: number | null;
  readonly sigmaMax: number | null;
  readonly timestepType: 'discrete' | 'continuous';
  readonly finalSigmasType: FinalSigmasType;
}

export interface EulerAncestralSchedulerConfig extends CommonSchedulerConfig {
  readonly predictionType: 'epsilon' | 'v_prediction';
}

export interface LmsSchedulerConfig extends CommonSchedulerConfig {
  readonly useKarrasSigmas: boolean;
}

export type DpmAlgorithmType = 'dpmsolver++' | 'sde-dpmsolver++' | 'dpmsolver' | 'sde-dpmsolver';
export type DpmSolverType = 'midpoint' | 'heun';

export interface DpmSolverSchedulerConfig extends CommonSchedulerConfig {
  readonly solverOrder: 1 | 2 | 3;
  readonly algorithmType: DpmAlgorithmType;
  readonly solverType: DpmSolverType;
  readonly lowerOrderFinal: boolean;
  readonly eulerAtFinal: boolean;
  readonly useKarrasSigmas: boolean;
  readonly useLuLambdas: boolean;
  readonly finalSigmasType: FinalSigmasType;
  /** -Infinity when not set (diffusers' default). */
  readonly lambdaMinClipped: number;
}

export interface SchedulerConfigMap {
  pndm: PndmSchedulerConfig;
  ddim: DdimSchedulerConfig;
  euler: EulerSchedulerConfig;
  'euler-a': EulerAncestralSchedulerConfig;
  'dpm++2m': DpmSolverSchedulerConfig;
  lms: LmsSchedulerConfig;
  'dpm++2m-karras': DpmSolverSchedulerConfig;
  'dpm++2m-sde': DpmSolverSchedulerConfig;
  'dpm++2m-sde-karras': DpmSolverSchedulerConfig;
  'euler-karras': EulerSchedulerConfig;
  'lms-karras': LmsSchedulerConfig;
  heun: HeunSchedulerConfig;
  dpm2: Kdpm2SchedulerConfig;
  'dpm2-karras': Kdpm2SchedulerConfig;
  unipc: UniPcSchedulerConfig;
  deis: DeisSchedulerConfig;
}

/** Upper bound on num_train_timesteps, to keep tables a sane size (diffusers models use 1000). */
export const MAX_TRAIN_TIMESTEPS = 100_000;

export interface CommonDefaults<P extends PredictionType> {
  readonly spacing: TimestepSpacing;
  readonly predictionTypes: readonly P[];
  /** Whether the class takes `rescale_betas_zero_snr`. */
  readonly rescale: boolean;
  /** The class's beta_start / beta_end defaults when not 1e-4 / 0.02 (Heun and KDPM2 default to SD's 0.00085 / 0.012). */
  readonly betaRange?: readonly [start: number, end: number];
}

export function readCommon<P extends PredictionType>(
  r: ConfigReader,
  defaults: CommonDefaults<P>,
): BetaScheduleConfig & SpacingConfig & { readonly predictionType: P } {
  const numTrainTimesteps = r.int('num_train_timesteps', 1000, { min: 2, max: MAX_TRAIN_TIMESTEPS });
  const trainedBetas = r.optionalNumberArray('trained_betas', { min: 0, max: 1, maxExclusive: true });
  if (trainedBetas !== null && trainedBetas.length !== numTrainTimesteps) {
    throw new SchedulerConfigError(
      'trained_betas',
      `must have num_train_timesteps (${numTrainTimesteps}) entries`,
      `${trainedBetas.length} entries`,
    );
  }
  // diffusers looks at beta_schedule (and beta_start / beta_end) only without trained_betas.
  let betaSchedule: BetaSchedule = 'linear';
  const [defaultStart, defaultEnd] = defaults.betaRange ?? [0.0001, 0.02];
  let betaStart = defaultStart;
  let betaEnd = defaultEnd;
  if (trainedBetas === null) {
    betaSchedule = r.oneOf('beta_schedule', 'linear', BETA_SCHEDULES);
    if (betaSchedule !== 'squaredcos_cap_v2') {
      const betaRange = { min: 0, max: 1, minExclusive: true, maxExclusive: true };
      betaStart = r.number('beta_start', defaultStart, betaRange);
      betaEnd = r.number('beta_end', defaultEnd, betaRange);
    }
  }
  const rescaleBetasZeroSnr = defaults.rescale ? r.bool('rescale_betas_zero_snr', false) : false;
  const predictionType = r.oneOf<P>('prediction_type', defaults.predictionTypes[0], defaults.predictionTypes);
  const timestepSpacing = r.oneOf('timestep_spacing', defaults.spacing, TIMESTEP_SPACINGS);
  const stepsOffset = r.int('steps_offset', 0, { min: 0, max: numTrainTimesteps - 1 });
  return {
    numTrainTimesteps,
    betaStart,
    betaEnd,
    betaSchedule,
    trainedBetas,
    rescaleBetasZeroSnr,
    predictionType,
    timestepSpacing,
    stepsOffset,
  };
}

export const rejectThresholding = (r: ConfigReader): void =>
  r.unsupported('thresholding', isFalsy, 'dynamic thresholding is meant for pixel-space models, not latents');

/** PNDMScheduler (diffusers defaults: linear betas 1e-4..0.02, leading spacing, skip_prk_steps false). */
export function readPndmConfig(raw: RawSchedulerConfig): PndmSchedulerConfig {
  const r = new ConfigReader(raw);
  const common = readCommon(r, {
    spacing: 'leading',
    predictionTypes: ['epsilon', 'v_prediction'] as const,
    rescale: false,
  });
  return {
    ...common,
    skipPrkSteps: r.bool('skip_prk_steps', false),
    setAlphaToOne: r.bool('set_alpha_to_one', false),
  };
}

/** DDIMScheduler (defaults: clip_sample true, set_alpha_to_one true, leading spacing). */
export function readDdimConfig(raw: RawSchedulerConfig): DdimSchedulerConfig {
  const r = new ConfigReader(raw);
  const common = readCommon(r, {
    spacing: 'leading',
    predictionTypes: ['epsilon', 'v_prediction', 'sample'] as const,
    rescale: true,
  });
  rejectThresholding(r);
  const clipSample = r.bool('clip_sample', true);
  return {
    ...common,
    clipSample,
    clipSampleRange: clipSample ? r.number('clip_sample_range', 1, { min: 0, minExclusive: true }) : 1,
    setAlphaToOne: r.bool('set_alpha_to_one', true),
  };
}

export function readFinalSigmasType(r: ConfigReader): FinalSigmasType {
  // diffusers types it Optional; None never matches either branch and raises there.
  return r.oneOf<FinalSigmasType>('final_sigmas_type', 'zero', ['zero', 'sigma_min']);
}

/** EulerDiscreteScheduler (defaults: linspace spacing, linear interpolation, final sigma 0). */
export function readEulerConfig(raw: RawSchedulerConfig): EulerSchedulerConfig {
  const r = new ConfigReader(raw);
  // diffusers treats "original_sample" as "sample" here.
  const predictionValue = raw['prediction_type'];
  const normalized: RawSchedulerConfig =
    predictionValue === 'original_sample' ? { ...raw, prediction_type: 'sample' } : raw;
  const common = readCommon(new ConfigReader(normalized), {
    spacing: 'linspace',
    predictionTypes: ['epsilon', 'v_prediction', 'sample'] as const,
    rescale: true,
  });
  r.unsupported(
    'interpolation_type',
    (v) => v === 'linear',
    'only "linear" sigma interpolation is implemented',
  );
  const positive = { min: 0, minExclusive: true };
  return {
    ...common,
    useKarrasSigmas: r.bool('use_karras_sigmas', false),
    sigmaMin: r.optionalNumber('sigma_min', positive),
    sigmaMax: r.optionalNumber('sigma_max', positive),
    timestepType: r.oneOf<'discrete' | 'continuous'>('timestep_type', 'discrete', ['discrete', 'continuous']),
    finalSigmasType: readFinalSigmasType(r),
  };
}

/** EulerAncestralDiscreteScheduler (defaults: linspace spacing; epsilon or v_prediction only). */
export function readEulerAncestralConfig(raw: RawSchedulerConfig): EulerAncestralSchedulerConfig {
  const r = new ConfigReader(raw);
  return readCommon(r, {
    spacing: 'linspace',
    predictionTypes: ['epsilon', 'v_prediction'] as const,
    rescale: true,
  });
}

/** LMSDiscreteScheduler (defaults: linspace spacing; no rescale_betas_zero_snr key). */
export function readLmsConfig(raw: RawSchedulerConfig): LmsSchedulerConfig {
  const r = new ConfigReader(raw);
  const common = readCommon(r, {
    spacing: 'linspace',
    predictionTypes: ['epsilon', 'v_prediction', 'sample'] as const,
    rescale: false,
  });
  return { ...common, useKarrasSigmas: r.bool('use_karras_sigmas', false) };
}

const DPM_ALGORITHMS: readonly DpmAlgorithmType[] = ['dpmsolver++', 'sde-dpmsolver++', 'dpmsolver', 'sde-dpmsolver'];

/** DPMSolverMultistepScheduler (defaults: dpmsolver++, order 2, midpoint, lower_order_final, linspace). */
export function readDpmSolverConfig(raw: RawSchedulerConfig): DpmSolverSchedulerConfig {
  const r = new ConfigReader(raw);
  const common = readCommon(r, {
    spacing: 'linspace',
    predictionTypes: ['epsilon', 'v_prediction', 'sample'] as const,
    rescale: true,
  });
  rejectThresholding(r);
  r.unsupported(
    'variance_type',
    (v) => v === null,
    'learned-variance model outputs (extra channels) are not supported',
  );
  const solverOrder = r.int('solver_order', 2, { min: 1, max: 3 }) as 1 | 2 | 3;
  // diffusers maps "deis" onto dpmsolver++ and the UniPC solver types onto midpoint.
  let algorithmType = r.oneOf<DpmAlgorithmType | 'deis'>('algorithm_type', 'dpmsolver++', [...DPM_ALGORITHMS, 'deis']);
  if (algorithmType === 'deis') algorithmType = 'dpmsolver++';
  let solverType = r.oneOf<DpmSolverType | 'logrho' | 'bh1' | 'bh2'>('solver_type', 'midpoint', [
    'midpoint',
    'heun',
    'logrho',
    'bh1',
    'bh2',
  ]);
  if (solverType !== 'heun') solverType = 'midpoint';
  const finalSigmasType = readFinalSigmasType(r);
  if ((algorithmType === 'dpmsolver' || algorithmType === 'sde-dpmsolver') && finalSigmasType === 'zero') {
    throw new SchedulerConfigError(
      'final_sigmas_type',
      `must be "sigma_min" with algorithm_type "${algorithmType}"`,
      finalSigmasType,
    );
  }
  if (solverOrder === 3 && algorithmType.startsWith('sde-')) {
    // diffusers has no third-order SDE update (it fails on the first third-order step).
    throw new SchedulerConfigError('solver_order', `must be 1 or 2 with algorithm_type "${algorithmType}"`, 3);
  }
  const useKarrasSigmas = r.bool('use_karras_sigmas', false);
  const useLuLambdas = r.bool('use_lu_lambdas', false);
  return {
    ...common,
    solverOrder,
    algorithmType,
    solverType: solverType as DpmSolverType,
    lowerOrderFinal: r.bool('lower_order_final', true),
    eulerAtFinal: r.bool('euler_at_final', false),
    useKarrasSigmas,
    useLuLambdas,
    finalSigmasType,
    lambdaMinClipped: r.optionalNumber('lambda_min_clipped') ?? -Infinity,
  };
}

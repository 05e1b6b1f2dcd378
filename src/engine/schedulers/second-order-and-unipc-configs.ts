/**
 * Config readers for HeunDiscrete, KDPM2Discrete, UniPCMultistep and DEISMultistep, with the keys
 * and defaults of diffusers 0.30's constructors (see scheduler-config.ts for the reading rules).
 */
import { ConfigReader, SchedulerConfigError, isFalsy } from './config-reader';
import type { RawSchedulerConfig } from './config-reader';
import { readCommon, readFinalSigmasType, rejectThresholding } from './scheduler-config';
import type { CommonSchedulerConfig, FinalSigmasType } from './scheduler-config';

/** diffusers' defaults for Heun and KDPM2 are Stable Diffusion's betas, not DDPM's. */
const SD_BETAS = [0.00085, 0.012] as const;

export interface HeunSchedulerConfig extends CommonSchedulerConfig {
  readonly useKarrasSigmas: boolean;
  readonly clipSample: boolean;
  readonly clipSampleRange: number;
}

export interface Kdpm2SchedulerConfig extends CommonSchedulerConfig {
  readonly predictionType: 'epsilon' | 'v_prediction';
  readonly useKarrasSigmas: boolean;
}

export interface UniPcSchedulerConfig extends CommonSchedulerConfig {
  readonly solverOrder: 1 | 2 | 3;
  readonly predictX0: boolean;
  readonly solverType: 'bh1' | 'bh2';
  readonly lowerOrderFinal: boolean;
  /** Step indices whose corrector is skipped. */
  readonly disableCorrector: readonly number[];
  readonly useKarrasSigmas: boolean;
  readonly finalSigmasType: FinalSigmasType;
}

export interface DeisSchedulerConfig extends CommonSchedulerConfig {
  readonly solverOrder: 1 | 2 | 3;
  readonly lowerOrderFinal: boolean;
  readonly useKarrasSigmas: boolean;
}

/** HeunDiscreteScheduler (defaults: SD betas with a linear schedule, linspace spacing, no clipping). */
export function readHeunConfig(raw: RawSchedulerConfig): HeunSchedulerConfig {
  const r = new ConfigReader(raw);
  const common = readCommon(r, {
    spacing: 'linspace',
    predictionTypes: ['epsilon', 'v_prediction', 'sample'] as const,
    rescale: false,
    betaRange: SD_BETAS,
  });
  const clipSample = r.bool('clip_sample', false);
  return {
    ...common,
    useKarrasSigmas: r.bool('use_karras_sigmas', false),
    clipSample,
    clipSampleRange: clipSample ? r.number('clip_sample_range', 1, { min: 0, minExclusive: true }) : 1,
  };
}

/** KDPM2DiscreteScheduler (defaults as Heun; diffusers has no "sample" prediction here). */
export function readKdpm2Config(raw: RawSchedulerConfig): Kdpm2SchedulerConfig {
  const r = new ConfigReader(raw);
  const common = readCommon(r, {
    spacing: 'linspace',
    predictionTypes: ['epsilon', 'v_prediction'] as const,
    rescale: false,
    betaRange: SD_BETAS,
  });
  return { ...common, useKarrasSigmas: r.bool('use_karras_sigmas', false) };
}

function readSolverOrder(r: ConfigReader): 1 | 2 | 3 {
  return r.int('solver_order', 2, { min: 1, max: 3 }) as 1 | 2 | 3;
}

/** UniPCMultistepScheduler (defaults: order 2, bh2, predict_x0, corrector on, linspace, final sigma 0). */
export function readUniPcConfig(raw: RawSchedulerConfig): UniPcSchedulerConfig {
  const r = new ConfigReader(raw);
  const common = readCommon(r, {
    spacing: 'linspace',
    predictionTypes: ['epsilon', 'v_prediction', 'sample'] as const,
    rescale: true,
  });
  rejectThresholding(r);
  r.unsupported('solver_p', isFalsy, 'an external predictor scheduler cannot be given in a config file');
  // diffusers maps the DPM-Solver / DEIS solver types onto bh2.
  const solverType = r.oneOf<'bh1' | 'bh2' | 'midpoint' | 'heun' | 'logrho'>('solver_type', 'bh2', ['bh1', 'bh2', 'midpoint', 'heun', 'logrho']);
  return {
    ...common,
    solverOrder: readSolverOrder(r),
    predictX0: r.bool('predict_x0', true),
    solverType: solverType === 'bh1' ? 'bh1' : 'bh2',
    lowerOrderFinal: r.bool('lower_order_final', true),
    disableCorrector: readIndexList(raw, r, 'disable_corrector'),
    useKarrasSigmas: r.bool('use_karras_sigmas', false),
    finalSigmasType: readFinalSigmasType(r),
  };
}

/** DEISMultistepScheduler (defaults: order 2, log-rho DEIS, lower_order_final, linspace). */
export function readDeisConfig(raw: RawSchedulerConfig): DeisSchedulerConfig {
  const r = new ConfigReader(raw);
  const common = readCommon(r, {
    spacing: 'linspace',
    predictionTypes: ['epsilon', 'v_prediction', 'sample'] as const,
    rescale: false,
  });
  rejectThresholding(r);
  // diffusers maps dpmsolver / dpmsolver++ onto deis and the other solver types onto logrho.
  r.oneOf('algorithm_type', 'deis', ['deis', 'dpmsolver', 'dpmsolver++']);
  r.oneOf('solver_type', 'logrho', ['logrho', 'midpoint', 'heun', 'bh1', 'bh2']);
  return {
    ...common,
    solverOrder: readSolverOrder(r),
    lowerOrderFinal: r.bool('lower_order_final', true),
    useKarrasSigmas: r.bool('use_karras_sigmas', false),
  };
}

/** A list of non-negative integers (UniPC's disable_corrector); absent or null is empty. */
function readIndexList(raw: RawSchedulerConfig, r: ConfigReader, key: string): number[] {
  const probe = r.optionalNumberArray(key, { min: 0 });
  if (probe === null) return [];
  if (!probe.every(Number.isInteger)) throw new SchedulerConfigError(key, 'must be a list of step indices (integers >= 0)', raw[key]);
  return probe;
}

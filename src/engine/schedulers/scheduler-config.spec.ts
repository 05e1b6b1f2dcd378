import { SchedulerConfigError } from './config-reader';
import {
  readDdimConfig,
  readDpmSolverConfig,
  readEulerAncestralConfig,
  readEulerConfig,
  readLmsConfig,
  readPndmConfig,
} from './scheduler-config';
import { readSchedulerConfig } from './read-scheduler-config';
import { SCHEDULER_NAMES } from './scheduler';
import { SD14_SCHEDULER_CONFIG } from './sd14-scheduler-config';

const SD14 = SD14_SCHEDULER_CONFIG;

function configError(read: () => unknown): SchedulerConfigError {
  try {
    read();
  } catch (error) {
    if (error instanceof SchedulerConfigError) return error;
    throw error;
  }
  throw new Error('expected a SchedulerConfigError');
}

describe('reading a config like from_config', () => {
  it('SD 1.4 for PNDM: its own values', () => {
    expect(readPndmConfig(SD14)).toMatchObject({
      numTrainTimesteps: 1000,
      betaStart: 0.00085,
      betaEnd: 0.012,
      betaSchedule: 'scaled_linear',
      skipPrkSteps: true,
      setAlphaToOne: false,
      stepsOffset: 1,
      timestepSpacing: 'leading',
      predictionType: 'epsilon',
    });
  });

  it('SD 1.4 for Euler, LMS, Euler ancestral and DPM-Solver: betas kept, "linspace" spacing by class default', () => {
    for (const config of [
      readEulerConfig(SD14),
      readLmsConfig(SD14),
      readEulerAncestralConfig(SD14),
      readDpmSolverConfig(SD14),
    ]) {
      expect(config).toMatchObject({ betaSchedule: 'scaled_linear', stepsOffset: 1, timestepSpacing: 'linspace' });
    }
    expect(readDpmSolverConfig(SD14)).toMatchObject({
      solverOrder: 2,
      algorithmType: 'dpmsolver++',
      solverType: 'midpoint',
      lowerOrderFinal: true,
      finalSigmasType: 'zero',
      lambdaMinClipped: -Infinity,
    });
  });

  it('SD 1.4 for DDIM: clip_sample false and set_alpha_to_one false from the file', () => {
    expect(readDdimConfig(SD14)).toMatchObject({ clipSample: false, setAlphaToOne: false, timestepSpacing: 'leading' });
  });

  it('an empty config gets each class default', () => {
    expect(readDdimConfig({})).toMatchObject({
      betaSchedule: 'linear',
      betaStart: 0.0001,
      betaEnd: 0.02,
      clipSample: true,
      clipSampleRange: 1,
      setAlphaToOne: true,
      stepsOffset: 0,
    });
    expect(readPndmConfig({})).toMatchObject({ skipPrkSteps: false, setAlphaToOne: false });
  });

  it('keys in _use_default_values take the target class default', () => {
    const saved = { ...SD14, timestep_spacing: 'leading', _use_default_values: ['timestep_spacing'] };
    expect(readEulerConfig(saved).timestepSpacing).toBe('linspace');
    expect(readPndmConfig(saved).timestepSpacing).toBe('leading');
    const withoutList = { ...SD14, timestep_spacing: 'leading' };
    expect(readEulerConfig(withoutList).timestepSpacing).toBe('leading');
  });

  it('keys the class does not take are never looked at', () => {
    const odd = { ...SD14, skip_prk_steps: 'not a boolean', solver_order: 'x', clip_sample: 7 };
    expect(() => readEulerConfig(odd)).not.toThrow();
    expect(() => readPndmConfig(odd)).toThrow(/skip_prk_steps/);
  });

  it('trained_betas bypass beta_schedule, beta_start and beta_end', () => {
    const config = readDdimConfig({ num_train_timesteps: 3, trained_betas: [0.1, 0.2, 0.3], beta_schedule: 'custom' });
    expect(config.trainedBetas).toEqual([0.1, 0.2, 0.3]);
  });

  it('Euler maps prediction_type "original_sample" onto "sample"', () => {
    expect(readEulerConfig({ prediction_type: 'original_sample' }).predictionType).toBe('sample');
  });

  it('DPM-Solver maps "deis" onto dpmsolver++ and UniPC solver types onto midpoint', () => {
    expect(readDpmSolverConfig({ algorithm_type: 'deis', solver_type: 'bh2' })).toMatchObject({
      algorithmType: 'dpmsolver++',
      solverType: 'midpoint',
    });
  });

  it('readSchedulerConfig reads every name', () => {
    for (const name of SCHEDULER_NAMES) expect(readSchedulerConfig(name, SD14).numTrainTimesteps).toBe(1000);
  });
});

describe('bad config values name the key', () => {
  const cases: [string, object, string, RegExp][] = [
    ['negative beta_start', { beta_start: -0.001 }, 'beta_start', /must be a number in \(0, 1\), got -0.001/],
    ['beta_end of 1', { beta_end: 1 }, 'beta_end', /must be a number in \(0, 1\)/],
    ['non-numeric beta_start', { beta_start: '0.00085' }, 'beta_start', /got "0.00085"/],
    ['unknown timestep_spacing', { timestep_spacing: 'uniform' }, 'timestep_spacing', /"linspace", "leading", "trailing"/],
    ['unknown beta_schedule', { beta_schedule: 'cosine' }, 'beta_schedule', /must be one of/],
    ['fractional num_train_timesteps', { num_train_timesteps: 999.5 }, 'num_train_timesteps', /integer/],
    ['steps_offset past the end', { steps_offset: 1000 }, 'steps_offset', /\[0, 999\]/],
    ['negative steps_offset', { steps_offset: -1 }, 'steps_offset', /\[0, 999\]/],
    ['unknown prediction_type', { prediction_type: 'noise' }, 'prediction_type', /"epsilon", "v_prediction"/],
    ['non-boolean skip_prk_steps', { skip_prk_steps: 'yes' }, 'skip_prk_steps', /true or false/],
    ['short trained_betas', { trained_betas: [0.1, 0.2] }, 'trained_betas', /1000\) entries/],
    ['trained_betas of 1', { num_train_timesteps: 2, trained_betas: [0.1, 1] }, 'trained_betas', /\[0, 1\)/],
  ];
  it.each(cases)('%s', (_label, config, key, message) => {
    const error = configError(() => readPndmConfig(config as Record<string, unknown>));
    expect(error.key).toBe(key);
    expect(error.message).toContain(`"${key}"`);
    expect(error.message).toMatch(message);
  });

  it('thresholding is rejected (DDIM, DPM-Solver), allowed when false', () => {
    expect(configError(() => readDdimConfig({ thresholding: true })).key).toBe('thresholding');
    expect(configError(() => readDpmSolverConfig({ thresholding: true })).message).toMatch(/not supported/);
    expect(() => readDdimConfig({ thresholding: false })).not.toThrow();
  });

  it('DDIM: clip_sample_range must be positive', () => {
    expect(configError(() => readDdimConfig({ clip_sample: true, clip_sample_range: 0 })).key).toBe('clip_sample_range');
  });

  it('Euler: only linear interpolation, known final_sigmas_type and timestep_type', () => {
    expect(configError(() => readEulerConfig({ interpolation_type: 'log_linear' })).key).toBe('interpolation_type');
    expect(configError(() => readEulerConfig({ final_sigmas_type: 'one' })).key).toBe('final_sigmas_type');
    expect(configError(() => readEulerConfig({ timestep_type: 'integer' })).key).toBe('timestep_type');
    expect(configError(() => readEulerConfig({ sigma_min: -1 })).key).toBe('sigma_min');
  });

  it('Euler ancestral: sample prediction is refused, as diffusers refuses it', () => {
    expect(configError(() => readEulerAncestralConfig({ prediction_type: 'sample' })).key).toBe('prediction_type');
  });

  it('DPM-Solver: rules diffusers enforces', () => {
    expect(configError(() => readDpmSolverConfig({ solver_order: 4 })).key).toBe('solver_order');
    expect(configError(() => readDpmSolverConfig({ algorithm_type: 'dpmsolver' })).key).toBe('final_sigmas_type');
    expect(
      configError(() => readDpmSolverConfig({ algorithm_type: 'sde-dpmsolver++', solver_order: 3 })).key,
    ).toBe('solver_order');
    expect(configError(() => readDpmSolverConfig({ variance_type: 'learned_range' })).key).toBe('variance_type');
    expect(configError(() => readDpmSolverConfig({ algorithm_type: 'unipc' })).key).toBe('algorithm_type');
    expect(() => readDpmSolverConfig({ algorithm_type: 'dpmsolver', final_sigmas_type: 'sigma_min' })).not.toThrow();
  });

  it('the config must be an object; _use_default_values a list of names', () => {
    expect(configError(() => readEulerConfig(null as never)).key).toBe('(root)');
    expect(configError(() => readEulerConfig([] as never)).key).toBe('(root)');
    expect(configError(() => readEulerConfig({ _use_default_values: 'beta_start' })).key).toBe('_use_default_values');
  });
});

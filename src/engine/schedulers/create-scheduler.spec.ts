import type { NoiseSource } from '../noise/noise-source';
import { SchedulerUsageError } from './common';
import { SchedulerConfigError } from './config-reader';
import { SchedulerNameError, createScheduler, parseSchedulerName } from './create-scheduler';
import { describeSampler } from './sampler-catalog';
import { SCHEDULER_NAMES } from './scheduler';
import type { Scheduler, SchedulerName } from './scheduler';
import { SD14_SCHEDULER_CONFIG } from './sd14-scheduler-config';

const SD14 = SD14_SCHEDULER_CONFIG;

/** Test stub: value sin(0.37 p + 0.1) at stream position p, like a seeded generator. */
class SineNoise implements NoiseSource {
  readonly draws: number[] = [];
  private position = 0;
  randn(count: number): Float32Array {
    this.draws.push(count);
    const out = Float32Array.from({ length: count }, (_, j) => Math.sin(0.37 * (this.position + j) + 0.1));
    this.position += count;
    return out;
  }
}

/** A stand-in UNet: a deterministic function of the (scaled) input and the timestep. */
function fakeUnet(input: Float32Array, t: number, seed: number): Float32Array {
  return input.map((v, i) => Math.tanh(0.3 * v + Math.cos(0.01 * t + 0.7 * i + seed)));
}

function initialLatents(n: number, seed: number, sigma: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => sigma * Math.sin(1.7 * i + seed));
}

const OPTIONS = { eta: 0.3 };

/** Each of `jobs` gets its own scheduler and noise stream; steps are taken round-robin. */
function runInterleaved(name: SchedulerName, seeds: number[], steps: number): Float32Array[] {
  const jobs = seeds.map((seed) => {
    const scheduler = createScheduler(name, SD14, OPTIONS);
    scheduler.setTimesteps(steps);
    return { seed, scheduler, noise: new SineNoise(), x: initialLatents(64, seed, scheduler.initNoiseSigma), k: 0 };
  });
  let active = true;
  while (active) {
    active = false;
    for (const job of jobs) {
      const t = job.scheduler.timesteps[job.k];
      if (t === undefined) continue;
      active = true;
      const input = job.scheduler.scaleModelInput(job.x, t);
      job.x = job.scheduler.step(fakeUnet(input, t, job.seed), t, job.x, job.noise);
      job.k += 1;
    }
  }
  return jobs.map((job) => job.x);
}

describe('parseSchedulerName', () => {
  it.each(SCHEDULER_NAMES)('accepts %s', (name) => {
    expect(parseSchedulerName(name)).toBe(name);
  });

  it.each([
    ['DPM++ 2M Karras', 'dpm++2m-karras'],
    ['Euler a', 'euler-a'],
    ['Euler', 'euler'],
    ['PLMS', 'pndm'],
    ['PNDM', 'pndm'],
    ['DPM2 Karras', 'dpm2-karras'],
    ['DPM++ 2M SDE Karras', 'dpm++2m-sde-karras'],
    ['UniPC', 'unipc'],
  ])("accepts AUTOMATIC1111's name %p as %p", (input, id) => {
    expect(parseSchedulerName(input)).toBe(id);
  });

  it.each([['euler a'], ['dpm  2m'], ['DPM++ 2M karras'], [''], [null], [undefined], [3], [['ddim']], [{}]])('rejects %p', (input) => {
    let error: unknown;
    try {
      parseSchedulerName(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SchedulerNameError);
    const nameError = error as SchedulerNameError;
    expect(nameError.field).toBe('scheduler');
    expect(nameError.message).toMatch(/^scheduler must be one of "pndm", "ddim", "euler", "euler-a", "dpm\+\+2m", "lms", "dpm\+\+2m-karras", .*"deis" or an AUTOMATIC1111 sampler name such as "DPM\+\+ 2M Karras", got /);
    expect(nameError.allowed).toEqual(SCHEDULER_NAMES);
  });
});

describe('createScheduler', () => {
  it.each(SCHEDULER_NAMES)('%s: a fresh object with its name each call', (name) => {
    const a = createScheduler(name, SD14);
    const b = createScheduler(name, SD14);
    expect(a).not.toBe(b);
    expect(a.name).toBe(name);
    // diffusers' `order`: 2 for the samplers that evaluate the UNet twice per step.
    expect(a.order).toBe(describeSampler(name).unetEvaluationsPerStep);
  });

  it('rejects unknown names from untyped callers', () => {
    expect(() => createScheduler('dpm-fast' as SchedulerName, SD14)).toThrow(SchedulerNameError);
  });

  it('reports bad config values as SchedulerConfigError', () => {
    expect(() => createScheduler('euler', { ...SD14, beta_start: -1 })).toThrow(SchedulerConfigError);
    expect(() => createScheduler('euler', { ...SD14, timestep_spacing: 'even' })).toThrow(/"timestep_spacing"/);
  });

  it('passes eta to DDIM only and churn to Euler only', () => {
    expect(() => createScheduler('ddim', SD14, { eta: 2 })).toThrow(/eta/);
    expect(() => createScheduler('pndm', SD14, { eta: 2 })).not.toThrow();
    expect(() => createScheduler('euler', SD14, { sChurn: -1 })).toThrow(/sChurn/);
    expect(() => createScheduler('lms', SD14, { sChurn: -1 })).not.toThrow();
  });
});

describe.each(SCHEDULER_NAMES)('%s', (name) => {
  it('interleaved generations give the same results as each run alone', () => {
    const seeds = [1, 2, 3];
    const together = runInterleaved(name, seeds, 12);
    seeds.forEach((seed, i) => {
      const alone = runInterleaved(name, [seed], 12)[0];
      expect(Array.from(together[i])).toEqual(Array.from(alone));
    });
    expect(Array.from(together[0])).not.toEqual(Array.from(together[1]));
  });

  it('keeps no reference to its inputs: a caller may reuse its buffers', () => {
    const fresh = runInterleaved(name, [5], 10)[0];
    const scheduler = createScheduler(name, SD14, OPTIONS);
    scheduler.setTimesteps(10);
    const noise = new SineNoise();
    const latents = initialLatents(64, 5, scheduler.initNoiseSigma);
    const output = new Float32Array(64);
    for (const t of scheduler.timesteps) {
      output.set(fakeUnet(scheduler.scaleModelInput(latents, t), t, 5));
      latents.set(scheduler.step(output, t, latents, noise));
    }
    expect(Array.from(latents)).toEqual(Array.from(fresh));
  });

  it('setTimesteps again restarts the schedule and its state', () => {
    const first = runInterleaved(name, [4], 8)[0];
    const scheduler = createScheduler(name, SD14, OPTIONS);
    scheduler.setTimesteps(5);
    let x: Float32Array = initialLatents(64, 9, scheduler.initNoiseSigma);
    for (const t of scheduler.timesteps.slice(0, 3)) x = scheduler.step(fakeUnet(x, t, 9), t, x, new SineNoise());
    scheduler.setTimesteps(8);
    const noise = new SineNoise();
    x = initialLatents(64, 4, scheduler.initNoiseSigma);
    for (const t of scheduler.timesteps) {
      x = scheduler.step(fakeUnet(scheduler.scaleModelInput(x, t), t, 4), t, x, noise);
    }
    expect(Array.from(x)).toEqual(Array.from(first));
  });

  it.each([0, -1, 1.5, Number.NaN, 1001])('setTimesteps(%p) is a RangeError naming the limits', (steps) => {
    const scheduler = createScheduler(name, SD14);
    expect(() => scheduler.setTimesteps(steps)).toThrow(RangeError);
    expect(() => scheduler.setTimesteps(steps)).toThrow(/numInferenceSteps must be an integer from 1 to num_train_timesteps \(1000\)/);
  });

  it('accepts 1 and 1000 steps (steps_offset 0; SD\'s offset 1 would index timestep 1000)', () => {
    const scheduler = createScheduler(name, { ...SD14, steps_offset: 0 });
    scheduler.setTimesteps(1000);
    expect(scheduler.timesteps.length).toBeGreaterThanOrEqual(1000);
    scheduler.setTimesteps(1);
    expect(scheduler.timesteps.length).toBeGreaterThanOrEqual(1);
  });

  describe('step misuse is a clear error', () => {
    let scheduler: Scheduler;
    beforeEach(() => {
      scheduler = createScheduler(name, SD14, OPTIONS);
    });

    it('before setTimesteps', () => {
      expect(() => scheduler.step(new Float32Array(4), 1, new Float32Array(4), new SineNoise())).toThrow(
        /call setTimesteps\(\) before stepping/,
      );
    });

    it('wrong-length model output', () => {
      scheduler.setTimesteps(10);
      const t = scheduler.timesteps[0];
      expect(() => scheduler.step(new Float32Array(3), t, new Float32Array(4), new SineNoise())).toThrow(
        /modelOutput has 3 values but sample has 4/,
      );
    });

    it('a timestep not in the schedule', () => {
      scheduler.setTimesteps(10);
      expect(() => scheduler.step(new Float32Array(4), 500.5, new Float32Array(4), new SineNoise())).toThrow(
        SchedulerUsageError,
      );
      expect(() => scheduler.scaleModelInput(new Float32Array(4), 1234)).toThrow(/not in the schedule/);
    });

    it('skipping a timestep, and stepping past the end', () => {
      scheduler.setTimesteps(3);
      const ts = scheduler.timesteps;
      const noise = new SineNoise();
      scheduler.step(new Float32Array(4), ts[0], new Float32Array(4), noise);
      expect(() => scheduler.step(new Float32Array(4), ts[ts.length - 1], new Float32Array(4), noise)).toThrow(
        /expected timestep/,
      );
      for (const t of ts.slice(1)) scheduler.step(new Float32Array(4), t, new Float32Array(4), noise);
      expect(() => scheduler.step(new Float32Array(4), ts[ts.length - 1], new Float32Array(4), noise)).toThrow(
        /steps of the schedule are done/,
      );
    });
  });

  it('noise draws: sample-sized per step for euler-a, the SDE samplers and DDIM with eta, none otherwise', () => {
    const scheduler = createScheduler(name, SD14, OPTIONS);
    scheduler.setTimesteps(6);
    const noise = new SineNoise();
    let x: Float32Array = new Float32Array(32);
    for (const t of scheduler.timesteps) x = scheduler.step(new Float32Array(32), t, x, noise);
    const stochastic = describeSampler(name).stochastic || name === 'ddim';
    expect(noise.draws).toEqual(stochastic ? new Array(scheduler.timesteps.length).fill(32) : []);
  });
});

/**
 * setBeginIndex and addNoise, the two calls image to image makes before its first step (diffusers'
 * `set_begin_index` and `add_noise`), on every scheduler: misuse is refused without changing state.
 */
import { SchedulerUsageError } from './common';
import { createScheduler } from './create-scheduler';
import { SCHEDULER_NAMES } from './scheduler';
import { SD14_SCHEDULER_CONFIG } from './sd14-scheduler-config';

const CONFIG = { ...SD14_SCHEDULER_CONFIG, timestep_spacing: 'leading' };
const ones = (n: number): Float32Array => new Float32Array(n).fill(1);

describe.each(SCHEDULER_NAMES.map((n) => [n]))('%s: setBeginIndex and addNoise', (name) => {
  it('needs setTimesteps first', () => {
    const scheduler = createScheduler(name, CONFIG);
    expect(() => scheduler.setBeginIndex(0)).toThrow(SchedulerUsageError);
  });

  it('starts the first step at the begin index and then follows the schedule', () => {
    const scheduler = createScheduler(name, CONFIG);
    scheduler.setTimesteps(10);
    const begin = 4;
    scheduler.setBeginIndex(begin);
    const t = scheduler.timesteps[begin] as number;
    const noisy = scheduler.addNoise(ones(16), ones(16), t);
    expect(noisy).toHaveLength(16);
    expect(() => scheduler.step(ones(16), scheduler.timesteps[begin + 1] as number, noisy, { randn: (n) => ones(n) })).toThrow(SchedulerUsageError);
    const next = scheduler.step(ones(16), t, scheduler.scaleModelInput(noisy, t), { randn: (n) => ones(n) });
    expect(next.every(Number.isFinite)).toBe(true);
    expect(() => scheduler.setBeginIndex(0)).toThrow(/before the first step/);
  });

  it('refuses an index off the schedule and mismatched noise', () => {
    const scheduler = createScheduler(name, CONFIG);
    scheduler.setTimesteps(10);
    expect(() => scheduler.setBeginIndex(scheduler.timesteps.length)).toThrow(/begin index must be an integer from 0/);
    expect(() => scheduler.setBeginIndex(1.5)).toThrow(SchedulerUsageError);
    expect(() => scheduler.addNoise(ones(4), ones(5), scheduler.timesteps[0] as number)).toThrow(/equal, non-empty/);
    // Still usable from the start.
    scheduler.setBeginIndex(0);
    expect(scheduler.addNoise(ones(4), ones(4), scheduler.timesteps[0] as number)).toHaveLength(4);
  });
});

/** The sigma schedule the sigma-based schedulers expose beside the Scheduler contract. */
function sigmasOf(scheduler: object): readonly number[] {
  const { sigmas } = scheduler as { sigmas?: readonly number[] };
  if (!sigmas) throw new Error('this scheduler has no sigma schedule');
  return sigmas;
}

describe("addNoise follows each family's formula (README of diffusers-reference, image to image step 7)", () => {
  it.each([['heun'], ['dpm2-karras'], ['euler-karras']] as const)('%s: x0 + σ·noise with σ at the begin index', (name) => {
    const scheduler = createScheduler(name, CONFIG);
    scheduler.setTimesteps(10);
    const begin = 2 * scheduler.order;
    scheduler.setBeginIndex(begin);
    const sigma = Math.fround(sigmasOf(scheduler)[begin] as number);
    expect(scheduler.addNoise(new Float32Array([0.5]), new Float32Array([2]), scheduler.timesteps[begin] as number)[0]).toBeCloseTo(0.5 + 2 * sigma, 5);
  });

  it.each([['unipc'], ['deis'], ['dpm++2m-karras']] as const)('%s: α·x0 + σ_t·noise with α = 1/√(σ² + 1)', (name) => {
    const scheduler = createScheduler(name, CONFIG);
    scheduler.setTimesteps(10);
    scheduler.setBeginIndex(3);
    const sigma = sigmasOf(scheduler)[3] as number;
    const alpha = 1 / Math.sqrt(sigma * sigma + 1);
    expect(scheduler.addNoise(new Float32Array([0.5]), new Float32Array([2]), scheduler.timesteps[3] as number)[0]).toBeCloseTo(alpha * 0.5 + sigma * alpha * 2, 4);
  });
});

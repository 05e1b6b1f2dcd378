/**
 * Heun, DPM2, UniPC and DEIS on closed forms. With a UNet whose noise prediction is a constant e,
 * the probability-flow ODE in k-diffusion variables (x / alpha against sigma) is a straight line:
 * x̂(sigma) = x̂(sigma0) + (sigma − sigma0) e. Heun and DPM2 step it exactly (every derivative is e),
 * and so do UniPC and DEIS, whose exponential integrators are exact for a constant prediction at
 * any order. Their schedules have diffusers' shapes; their configs take diffusers' defaults.
 */
import { SchedulerConfigError } from './config-reader';
import { createScheduler } from './create-scheduler';
import { DeisMultistepScheduler } from './deis-scheduler';
import { HeunDiscreteScheduler } from './heun-scheduler';
import { Kdpm2DiscreteScheduler } from './kdpm2-scheduler';
import type { SchedulerName } from './scheduler';
import { readDeisConfig, readHeunConfig, readKdpm2Config, readUniPcConfig } from './second-order-and-unipc-configs';
import { SD14_SCHEDULER_CONFIG } from './sd14-scheduler-config';
import { UniPcMultistepScheduler } from './unipc-scheduler';

const SD14 = SD14_SCHEDULER_CONFIG;
const N = 16;
const E = Float32Array.from({ length: N }, (_, i) => Math.cos(i));
const X0 = Float32Array.from({ length: N }, (_, i) => Math.sin(1.3 * i));

/** Runs the whole schedule with a constant noise prediction; answers the final latents. */
function runConstant(name: SchedulerName, steps: number, config: object = SD14): { out: Float32Array; sigmas: readonly number[]; first: number; init: number } {
  const s = createScheduler(name, config);
  s.setTimesteps(steps);
  let x: Float32Array = Float32Array.from(X0, (v) => v * s.initNoiseSigma);
  for (const t of s.timesteps) {
    s.scaleModelInput(x, t);
    x = s.step(E, t, x);
  }
  const sigmas = (s as unknown as { sigmas: readonly number[] }).sigmas;
  return { out: x, sigmas, first: sigmas[0] as number, init: s.initNoiseSigma };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

describe.each<SchedulerName>(['heun', 'dpm2', 'dpm2-karras'])('%s (k-diffusion, second order)', (name) => {
  it('lists 2N − 1 timesteps, one step() per UNet call', () => {
    const s = createScheduler(name, SD14);
    s.setTimesteps(7);
    expect(s.timesteps).toHaveLength(13);
    expect(s.order).toBe(2);
  });

  it('integrates a constant noise prediction exactly down to sigma 0', () => {
    const { out, first, init } = runConstant(name, 9);
    const expected = Float32Array.from(X0, (v, i) => v * init - first * (E[i] as number));
    expect(maxAbsDiff(out, expected)).toBeLessThan(2e-5 * 15);
  });
});

describe('HeunDiscreteScheduler', () => {
  it('repeats every timestep after the first, as diffusers does', () => {
    const s = new HeunDiscreteScheduler(readHeunConfig(SD14));
    s.setTimesteps(4);
    // SD 1.4's published config lacks timestep_spacing: Heun's own default, linspace.
    expect(s.timesteps).toEqual([999, 666, 666, 333, 333, 0, 0]);
    expect(s.sigmas).toHaveLength(8);
    expect(s.sigmas[7]).toBe(0);
  });

  it("defaults to Stable Diffusion's betas, not DDPM's", () => {
    const c = readHeunConfig({});
    expect([c.betaStart, c.betaEnd, c.betaSchedule, c.timestepSpacing]).toEqual([0.00085, 0.012, 'linear', 'linspace']);
  });
});

describe('Kdpm2DiscreteScheduler', () => {
  it('interleaves fractional midpoint timesteps between the main ones', () => {
    const s = new Kdpm2DiscreteScheduler(readKdpm2Config({ ...SD14, timestep_spacing: 'leading' }));
    s.setTimesteps(3);
    const [t0, m1, t1, m2, t2] = s.timesteps as [number, number, number, number, number];
    expect([t0, t1, t2]).toEqual([667, 334, 1]);
    expect(m1).toBeGreaterThan(t1);
    expect(m1).toBeLessThan(t0);
    expect(m2).toBeGreaterThan(t2);
    expect(Number.isInteger(m1)).toBe(false);
  });

  it('has no "sample" prediction, like diffusers', () => {
    expect(() => readKdpm2Config({ prediction_type: 'sample' })).toThrow(SchedulerConfigError);
  });
});

describe.each<SchedulerName>(['unipc', 'deis'])('%s (exponential integrator)', (name) => {
  it.each([1, 2, 3])('solver_order %i integrates a constant noise prediction exactly', (order) => {
    const config = { ...SD14, solver_order: order };
    const { out, sigmas } = runConstant(name, 12, config);
    const first = sigmas[0] as number;
    const last = sigmas[sigmas.length - 1] as number;
    // x̂ = x / alpha moves by (last - first) e; x = alpha x̂ with alpha = 1 / sqrt(sigma² + 1).
    const expected = Float32Array.from(X0, (v, i) => (v * Math.sqrt(first * first + 1) + (last - first) * (E[i] as number)) / Math.sqrt(last * last + 1));
    expect(maxAbsDiff(out, expected)).toBeLessThan(1e-4);
  });

  it('steps N times on integer timesteps', () => {
    const s = createScheduler(name, SD14);
    s.setTimesteps(10);
    expect(s.timesteps).toHaveLength(10);
    expect(s.timesteps.every(Number.isInteger)).toBe(true);
    expect(s.initNoiseSigma).toBe(1);
  });
});

describe('UniPcMultistepScheduler', () => {
  it('ends at sigma 0 (final_sigmas_type "zero") and corrects from the second step', () => {
    const s = new UniPcMultistepScheduler(readUniPcConfig(SD14));
    s.setTimesteps(5);
    expect(s.sigmas[5]).toBe(0);
    const without = new UniPcMultistepScheduler(readUniPcConfig({ ...SD14, disable_corrector: [0, 1, 2, 3] }));
    without.setTimesteps(5);
    const x = Float32Array.from(X0);
    const wobble = (t: number): Float32Array => Float32Array.from(E, (v, i) => v + Math.sin(0.01 * t + i));
    let a: Float32Array = x;
    let b: Float32Array = x;
    const diffs: number[] = [];
    for (const t of s.timesteps) {
      a = s.step(wobble(t), t, a);
      b = without.step(wobble(t), t, b);
      diffs.push(maxAbsDiff(a, b));
    }
    expect(diffs[0]).toBe(0);
    expect(diffs[1]).toBeGreaterThan(0);
  });

  it('reads diffusers keys and rejects what it cannot do', () => {
    expect(readUniPcConfig({ solver_type: 'midpoint' }).solverType).toBe('bh2');
    expect(() => readUniPcConfig({ solver_p: { _class_name: 'DDIMScheduler' } })).toThrow(/solver_p/);
    expect(() => readUniPcConfig({ disable_corrector: [1.5] })).toThrow(/disable_corrector/);
    expect(() => readUniPcConfig({ thresholding: true })).toThrow(/thresholding/);
  });
});

describe('DeisMultistepScheduler', () => {
  it('ends at the smallest training sigma, not 0 (diffusers 0.30)', () => {
    const s = new DeisMultistepScheduler(readDeisConfig(SD14));
    s.setTimesteps(5);
    expect(s.sigmas[5]).toBeCloseTo(0.029167532920837402, 7);
  });

  it('maps the DPM-Solver algorithm names onto DEIS and rejects others', () => {
    expect(() => readDeisConfig({ algorithm_type: 'dpmsolver++', solver_type: 'midpoint' })).not.toThrow();
    expect(() => readDeisConfig({ algorithm_type: 'sde-dpmsolver++' })).toThrow(/algorithm_type/);
  });
});

import { alphasCumprod } from './common';
import { PndmScheduler } from './pndm-scheduler';
import { readPndmConfig } from './scheduler-config';
import { SD14_SCHEDULER_CONFIG } from './sd14-scheduler-config';

const SD14 = SD14_SCHEDULER_CONFIG;

function pndm(overrides: object = {}): PndmScheduler {
  return new PndmScheduler(readPndmConfig({ ...SD14, ...overrides }));
}

describe('PNDM timesteps (published SD 1.4 values)', () => {
  it('50 steps, leading: 981, 961, 961, 941, ..., 21, 1 (51 UNet calls)', () => {
    const s = pndm();
    s.setTimesteps(50);
    expect(s.timesteps).toHaveLength(51);
    expect(s.timesteps.slice(0, 5)).toEqual([981, 961, 961, 941, 921]);
    expect(s.timesteps.slice(-2)).toEqual([21, 1]);
  });

  it('20 steps: 951, 901, 901, 851, ..., 51, 1 (21 calls)', () => {
    const s = pndm();
    s.setTimesteps(20);
    const expected = [951, 901, 901];
    for (let t = 851; t >= 1; t -= 50) expected.push(t);
    expect(s.timesteps).toEqual(expected);
  });

  it('with Runge-Kutta steps: 12 PRK calls on the last 4 grid points, then PLMS', () => {
    const s = pndm({ skip_prk_steps: false });
    s.setTimesteps(20);
    // diffusers: _timesteps[-4:] = 801, 851, 901, 951 with half-steps of 1000 // 20 // 2 = 25.
    expect(s.timesteps.slice(0, 12)).toEqual([951, 926, 926, 901, 901, 876, 876, 851, 851, 826, 826, 801]);
    expect(s.timesteps.slice(12)).toEqual([801, 751, 701, 651, 601, 551, 501, 451, 401, 351, 301, 251, 201, 151, 101, 51, 1]);
  });

  it('PRK mode needs at least 4 steps', () => {
    expect(() => pndm({ skip_prk_steps: false }).setTimesteps(3)).toThrow(/at least 4/);
  });

  it('scaleModelInput returns the sample itself; init noise sigma is 1', () => {
    const s = pndm();
    s.setTimesteps(10);
    const x = new Float32Array(4);
    expect(s.scaleModelInput(x, 901)).toBe(x);
    expect(s.initNoiseSigma).toBe(1);
  });
});

describe('PNDM closed form', () => {
  const x0 = Float32Array.from([0.5, -1, 0.25, 2]);
  const eps = Float32Array.from([1, 0.3, -0.7, -1.2]);

  /** Starts at x_T = sqrt(acp) x0 + sqrt(1 - acp) eps and feeds the true eps every call. */
  function denoise(s: PndmScheduler, steps: number): Float32Array {
    const acp = alphasCumprod(s.config);
    s.setTimesteps(steps);
    const t0 = s.timesteps[0];
    let x: Float32Array = x0.map((v, i) => Math.sqrt(acp[t0]) * v + Math.sqrt(1 - acp[t0]) * eps[i]);
    for (const t of s.timesteps) x = s.step(eps, t, x);
    return x;
  }

  it('PLMS with a constant true eps lands on x0 when set_alpha_to_one (all multistep weights sum to 1)', () => {
    const x = denoise(pndm({ set_alpha_to_one: true }), 20);
    x.forEach((v, i) => expect(v).toBeCloseTo(x0[i], 4));
  });

  it('without set_alpha_to_one it lands on sqrt(0.99915) x0 + sqrt(0.00085) eps', () => {
    const x = denoise(pndm(), 20);
    x.forEach((v, i) => expect(v).toBeCloseTo(Math.sqrt(0.99915) * x0[i] + Math.sqrt(0.00085) * eps[i], 4));
  });

  it('PRK then PLMS also lands on x0', () => {
    const x = denoise(pndm({ set_alpha_to_one: true, skip_prk_steps: false }), 10);
    x.forEach((v, i) => expect(v).toBeCloseTo(x0[i], 4));
  });

  it('the repeated timestep re-does the first step from the first sample with the averaged output', () => {
    const s = pndm({ set_alpha_to_one: true });
    s.setTimesteps(10);
    const acp = alphasCumprod(s.config);
    const xT = Float32Array.from([1, 2, 3, 4]);
    const e1 = Float32Array.from([0.1, 0.2, 0.3, 0.4]);
    const e2 = Float32Array.from([0.3, 0.2, 0.1, 0]);
    s.step(e1, 901, xT);
    // Second call at 801: step from 901 to 801 again, from xT, with (e1 + e2) / 2.
    const x = s.step(e2, 801, Float32Array.from([9, 9, 9, 9]));
    const [a, b] = [acp[901], acp[801]];
    const denom = a * Math.sqrt(1 - b) + Math.sqrt(a * (1 - a) * b);
    xT.forEach((v, i) => {
      const e = (e1[i] + e2[i]) / 2;
      expect(x[i]).toBeCloseTo(Math.sqrt(b / a) * v - ((b - a) * e) / denom, 5);
    });
  });
});

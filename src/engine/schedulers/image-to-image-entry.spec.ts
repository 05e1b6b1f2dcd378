/**
 * Heun, DPM2, UniPC and DEIS entering the schedule part way, as image to image does (diffusers'
 * set_begin_index at t_start × order, then add_noise at that timestep). On the closed form of
 * second-order-and-multistep.spec.ts — a constant noise prediction e makes the probability-flow ODE
 * a straight line in k-diffusion variables — noise equal to e lands every sampler back on the clean
 * latents: x̂(sigma_k) = x0 + sigma_k e, stepped down to the last sigma s by (s − sigma_k) e. The last
 * sigma is 0, except for DEIS, which (as diffusers 0.30) ends at the smallest training sigma.
 */
import { createScheduler } from './create-scheduler';
import type { SchedulerName } from './scheduler';
import { SD14_SCHEDULER_CONFIG } from './sd14-scheduler-config';

const N = 16;
const E = Float32Array.from({ length: N }, (_, i) => Math.cos(i));
const X0 = Float32Array.from({ length: N }, (_, i) => Math.sin(1.3 * i));
const STEPS = 10;
/** SD 1.x's smallest training sigma, sqrt((1 − acp_0) / acp_0) with beta_0 = 0.00085. */
const SMALLEST_TRAINING_SIGMA = Math.sqrt(0.00085 / (1 - 0.00085));

describe.each<SchedulerName>(['heun', 'dpm2', 'dpm2-karras', 'unipc', 'deis'])('%s entering part way (image to image)', (name) => {
  it('adds noise at the begin index and steps from there back to the clean latents', () => {
    const s = createScheduler(name, SD14_SCHEDULER_CONFIG);
    s.setTimesteps(STEPS);
    const begin = (STEPS - 6) * s.order;
    s.setBeginIndex(begin);
    const t0 = s.timesteps[begin] as number;
    let x = s.addNoise(X0, E, t0);
    let calls = 0;
    for (const t of s.timesteps.slice(begin)) {
      s.scaleModelInput(x, t);
      x = s.step(E, t, x);
      calls++;
    }
    expect(calls).toBe(s.timesteps.length - begin);
    const last = name === 'deis' ? SMALLEST_TRAINING_SIGMA : 0;
    const alpha = 1 / Math.sqrt(1 + last * last);
    for (let i = 0; i < N; i++) expect(x[i]).toBeCloseTo(alpha * ((X0[i] as number) + last * (E[i] as number)), 4);
  });

  it("noises as diffusers' add_noise does: the clean latents plus sigma noise in k-diffusion variables", () => {
    const s = createScheduler(name, SD14_SCHEDULER_CONFIG);
    s.setTimesteps(STEPS);
    const t = s.timesteps[2] as number;
    const noised = s.addNoise(X0, E, t);
    const zero = s.addNoise(X0, new Float32Array(N), t);
    // x = alpha (x0 + sigma e): the ratio of the noise part to x0's scale is sigma at that timestep.
    const alpha = (zero[1] as number) / (X0[1] as number);
    const sigma = ((noised[0] as number) - (zero[0] as number)) / alpha / (E[0] as number);
    expect(sigma).toBeGreaterThan(1);
    expect(() => s.setBeginIndex(STEPS * s.order)).toThrow(/begin index must be an integer from 0 to/);
  });
});

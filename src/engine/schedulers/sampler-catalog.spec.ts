import { createScheduler } from './create-scheduler';
import { readSchedulerConfig } from './read-scheduler-config';
import { SAMPLERS, SCHEDULER_INPUT_NAMES, resolveSchedulerName, samplerLabel, unetEvaluations, withConfigOverrides } from './sampler-catalog';
import { SCHEDULER_NAMES } from './scheduler';
import { SD14_SCHEDULER_CONFIG } from './sd14-scheduler-config';

describe('the sampler catalogue', () => {
  it('describes every id once, in SCHEDULER_NAMES order', () => {
    expect(SAMPLERS.map((s) => s.id)).toEqual([...SCHEDULER_NAMES]);
  });

  it('gives every spelling one id: no display name is claimed twice or shadows an id', () => {
    expect(new Set(SCHEDULER_INPUT_NAMES).size).toBe(SCHEDULER_INPUT_NAMES.length);
    for (const s of SAMPLERS) for (const name of [s.id, ...s.a1111Names, ...s.aliases]) expect([name, resolveSchedulerName(name)]).toEqual([name, s.id]);
  });

  it.each([['dpm++ 2m karras'], [' Euler a'], ['k_euler_a'], [''], [7], [null]])('resolves nothing else (%p)', (input) => {
    expect(resolveSchedulerName(input)).toBeUndefined();
  });

  it("labels images with AUTOMATIC1111's name where there is one", () => {
    expect([samplerLabel('pndm'), samplerLabel('dpm++2m-sde-karras'), samplerLabel('euler-karras'), samplerLabel('deis')]).toEqual(['PLMS', 'DPM++ 2M SDE Karras', 'Euler Karras', 'DEIS']);
  });

  it('counts UNet calls: 2N − 1 for the second-order samplers, as their schedules do', () => {
    for (const id of SCHEDULER_NAMES) {
      if (id === 'pndm') continue; // its warm-up repeats one timestep: N + 1
      const s = createScheduler(id, SD14_SCHEDULER_CONFIG);
      s.setTimesteps(9);
      expect([id, s.timesteps.length]).toEqual([id, unetEvaluations(id, 9)]);
    }
  });

  it('applies keyword arguments over the model config, like from_config(config, **kwargs)', () => {
    const config = { ...SD14_SCHEDULER_CONFIG, use_karras_sigmas: false, _use_default_values: ['use_karras_sigmas', 'timestep_spacing'] };
    expect(withConfigOverrides(config, { use_karras_sigmas: true })).toMatchObject({ use_karras_sigmas: true, _use_default_values: ['timestep_spacing'] });
    expect(readSchedulerConfig('dpm++2m-karras', config).useKarrasSigmas).toBe(true);
    expect(readSchedulerConfig('dpm++2m', config).useKarrasSigmas).toBe(false);
    expect(readSchedulerConfig('dpm++2m-sde-karras', config)).toMatchObject({ useKarrasSigmas: true, algorithmType: 'sde-dpmsolver++' });
    // The model's own key still chooses Karras sigmas for the plain id.
    expect(readSchedulerConfig('euler', { ...SD14_SCHEDULER_CONFIG, use_karras_sigmas: true }).useKarrasSigmas).toBe(true);
  });
});

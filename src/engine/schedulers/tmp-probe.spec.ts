import { createScheduler } from './create-scheduler';
it('probe', () => {
  const s = createScheduler('pndm', { skip_prk_steps: true });
  s.setTimesteps(10);
  let x = Float32Array.from({ length: 8 }, (_, i) => Math.sin(i));
  process.stderr.write('A\n');
  s.timesteps.forEach((t, k) => {
    process.stderr.write(`step ${k} ${t}\n`);
    s.scaleModelInput(x, t);
    x = s.step(Float32Array.from({ length: 8 }, (_, i) => Math.cos(0.7 * i + 0.3 * k)), t, x);
  });
  process.stderr.write('B\n');
});

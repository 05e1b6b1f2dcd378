import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { GpuMetrics } from './gpu-metrics';
import { GpuSampler, type GpuQuery } from './gpu-sampler';

const busy = readFileSync(join(__dirname, '../../../test/fixtures/nvidia-smi/h100-busy.query.csv'), 'utf8');

function setUp(query: GpuQuery) {
  const registry = new Registry();
  const gpu = new GpuMetrics(registry);
  const logs: string[] = [];
  const sampler = new GpuSampler({ intervalMs: 15_000, query, onSample: (s) => gpu.update(s), onUnavailable: () => gpu.clear(), log: (m) => logs.push(m) });
  const gpuLines = async () => (await registry.metrics()).split('\n').filter((l) => l.startsWith('afd_gpu_'));
  return { sampler, logs, gpuLines };
}

describe('GpuSampler', () => {
  it('turns an nvidia-smi sample into the GPU gauges', async () => {
    const { sampler, logs, gpuLines } = setUp(async () => busy);
    await sampler.sample();
    expect(await gpuLines()).toEqual([
      'afd_gpu_memory_used_bytes{gpu="0"} 6523191296',
      'afd_gpu_memory_total_bytes{gpu="0"} 85520809984',
      'afd_gpu_utilization_ratio{gpu="0"} 1',
      'afd_gpu_info{gpu="0",uuid="GPU-2f4520c1-4673-dc97-702d-8ad49109222c",name="NVIDIA H100 80GB HBM3"} 1',
    ]);
    expect(logs).toEqual([]);
  });

  it('without nvidia-smi: no series, one log line, and no further attempts', async () => {
    let calls = 0;
    const { sampler, logs, gpuLines } = setUp(() => {
      calls++;
      return Promise.reject(Object.assign(new Error('spawn nvidia-smi ENOENT'), { code: 'ENOENT' }));
    });
    await sampler.sample();
    await sampler.sample();
    expect(calls).toBe(1);
    expect(await gpuLines()).toEqual([]);
    expect(logs).toEqual(['GPU metrics off: nvidia-smi was not found']);
  });

  it('with no GPU or a failing driver: drops the series and logs once, then picks up again when it recovers', async () => {
    const outputs: Array<string | Error> = [busy, 'No devices were found\n', new Error('Command failed: nvidia-smi\nNVIDIA-SMI has failed'), busy];
    const { sampler, logs, gpuLines } = setUp(async () => {
      const next = outputs.shift() as string | Error;
      if (next instanceof Error) throw next;
      return next;
    });
    await sampler.sample();
    expect(await gpuLines()).toHaveLength(4);
    await sampler.sample();
    expect(await gpuLines()).toEqual([]);
    await sampler.sample();
    await sampler.sample();
    expect(await gpuLines()).toHaveLength(4);
    expect(logs).toEqual(['GPU metrics off: nvidia-smi reported no GPU']);
  });

  it('does nothing once stopped, and with an interval of 0 never starts', async () => {
    let calls = 0;
    const { sampler } = setUp(async () => {
      calls++;
      return busy;
    });
    sampler.stop();
    sampler.start();
    await sampler.sample();
    expect(calls).toBe(0);
    const query = async () => {
      calls++;
      return busy;
    };
    const off = new GpuSampler({ intervalMs: 0, query, onSample: () => undefined, onUnavailable: () => undefined, log: () => undefined });
    off.start();
    expect(calls).toBe(0);
  });
});

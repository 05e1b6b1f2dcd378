import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NVIDIA_SMI_ARGS, parseNvidiaSmi } from './nvidia-smi-parser';

const fixture = (name: string): string => readFileSync(join(__dirname, '../../../test/fixtures/nvidia-smi', name), 'utf8');
const MIB = 1024 * 1024;
const H100 = { gpu: '0', uuid: 'GPU-2f4520c1-4673-dc97-702d-8ad49109222c', name: 'NVIDIA H100 80GB HBM3', memoryTotalBytes: 81559 * MIB };

describe('parseNvidiaSmi', () => {
  it('queries the six columns it reads, without headers or units', () => {
    expect(NVIDIA_SMI_ARGS).toEqual(['--query-gpu=index,uuid,name,memory.used,memory.total,utilization.gpu', '--format=csv,noheader,nounits']);
  });

  it.each([
    ['h100-busy.query.csv', 6221, 1],
    ['h100-idle.query.csv', 0, 0],
    // The recordings as made, with temperature and power after the queried columns: those are ignored.
    ['h100-busy.csv', 6221, 1],
    ['h100-idle.csv', 0, 0],
  ])('reads a recorded H100 (%s)', (file, usedMiB, utilization) => {
    expect(parseNvidiaSmi(fixture(file))).toEqual([{ ...H100, memoryUsedBytes: usedMiB * MIB, utilizationRatio: utilization }]);
  });

  it('reads a live H100 answering exactly this query (recorded with NVIDIA_SMI_ARGS)', () => {
    expect(parseNvidiaSmi(fixture('h100-idle.exact-query.csv'))).toEqual([
      { gpu: '0', uuid: 'GPU-7f54cb65-58dd-a3d5-b327-bc2fa5295534', name: 'NVIDIA H100 80GB HBM3', memoryUsedBytes: 0, memoryTotalBytes: 81559 * MIB, utilizationRatio: 0 },
    ]);
  });

  it('reads several GPUs, one per line, and keeps the first line of a repeated index', () => {
    const busy = fixture('h100-busy.query.csv').trim();
    const second = busy.replace(/^0, GPU-2f4520c1/, '1, GPU-3f4520c1');
    const samples = parseNvidiaSmi(`${busy}\r\n${second}\n${busy.replace(' 6221,', ' 1,')}\n`);
    expect(samples.map((s) => [s.gpu, s.memoryUsedBytes])).toEqual([
      ['0', 6221 * MIB],
      ['1', 6221 * MIB],
    ]);
  });

  it('skips what it cannot read ([N/A], [Not Supported], short lines, messages, garbage) and keeps usable values', () => {
    expect(parseNvidiaSmi(fixture('malformed.query.csv'))).toEqual([
      // Utilisation [Not Supported] (as on MIG): memory is still reported.
      { ...H100, memoryUsedBytes: 6221 * MIB },
      // A negative used memory and a utilisation over 100 % are dropped; the total stays.
      { gpu: '3', uuid: 'GPU-ffffffff-0000-1111-2222-333333333333', name: 'NVIDIA H100 80GB HBM3', memoryTotalBytes: 81559 * MIB },
    ]);
  });

  it.each([[''], ['\n'], ['No devices were found\n'], ['\u0000\u0001binary'], [',,,,,,'], ['[N/A], [N/A], [N/A], [N/A], [N/A], [N/A]']])('gives no GPU for %j', (output) => {
    expect(parseNvidiaSmi(output)).toEqual([]);
  });

  it('keeps labels short and printable', () => {
    const [sample] = parseNvidiaSmi(`0, GPU-1234, ${'X'.repeat(200)}\u0007, 1, 2, 3`);
    expect(sample?.name).toHaveLength(64);
    expect(parseNvidiaSmi('0, not-a-uuid, [N/A], 1, 2, 3')).toEqual([{ gpu: '0', memoryUsedBytes: MIB, memoryTotalBytes: 2 * MIB, utilizationRatio: 0.03 }]);
  });
});

import { machineBusyTicks, otherCpuShare, processTicks, USER_HZ } from './load-probe';

describe('bench:load CPU figures from /proc', () => {
  it("adds the machine's busy fields (user, nice, system, irq, softirq, steal), not idle or iowait", () => {
    const stat = 'cpu  100 2 30 5000 7 4 3 1 0 0\ncpu0 50 1 15 2500 3 2 1 0 0 0\n';
    expect(machineBusyTicks(stat)).toBe(100 + 2 + 30 + 4 + 3 + 1);
  });

  it("reads a process's user and system ticks after its command name, even one with spaces and parentheses", () => {
    const fields = ['S', '1', '2', '3', '0', '-1', '4194560', '10', '0', '0', '0', '250', '40', '0', '0', '20', '0'];
    expect(processTicks(`4242 (node) ${fields.join(' ')}`)).toBe(290);
    expect(processTicks(`4242 (a (strange) name) ${fields.join(' ')}`)).toBe(290);
  });

  it("gives other processes' share of the machine: its busy ticks less ours, over the window and the cores", () => {
    const before = { machine: 1000, processes: [100, 50] };
    const after = { machine: 1000 + 2 * USER_HZ * 10 * 0.9, processes: [100 + 1.2 * USER_HZ * 10, 50 + 0.4 * USER_HZ * 10] };
    expect(otherCpuShare(before, after, 10_000, 2)).toBeCloseTo(0.1, 6);
    expect(otherCpuShare(before, { ...after, machine: 1000 }, 10_000, 2)).toBe(0);
  });
});

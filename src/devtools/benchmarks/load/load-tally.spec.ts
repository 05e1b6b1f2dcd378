import type { ArrivalRecord } from './load-protocol';
import { RECORDS } from './load-records.fixture';
import { latencyBreakdown, NOT_ENDED, poolMismatches, serverSideMs, tallyArrivals, tallyJobs, type ServerTimes } from './load-tally';


describe('bench:load tallies', () => {
  it("sorts the client's records by answer, in schedule order, and counts the rest", () => {
    const tally = tallyArrivals(RECORDS);
    expect(tally.acceptedMs).toEqual([3, 5]);
    expect(tally.rejectedMs).toEqual([2, 9]);
    expect(tally.rejectedCodes).toEqual({ RESOURCE_EXHAUSTED: 2 });
    expect(tally.rejectedWithoutRetryAfter).toBe(1);
    expect(tally.others).toEqual({ '500': { count: 1, example: '{"code":"INTERNAL"}' } });
    expect(tally.clientErrors).toEqual({ 'socket hang up': 1 });
    expect(tally.sendLagMs).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('counts the outcomes of accepted jobs, those that did not end among the failures', () => {
    const jobs = tallyJobs([{ id: 'a', outcome: 'succeeded' }, { id: 'b', outcome: 'failed', error: 'E: boom' }, { id: 'c' }]);
    expect(jobs).toEqual({ outcomes: { succeeded: 1, failed: 1, [NOT_ENDED]: 1 }, failures: { 'E: boom': 1, [NOT_ENDED]: 1 }, succeeded: 1 });
  });

  it("names where the pool's counters disagree with what the client saw", () => {
    expect(poolMismatches({ submitted: 2, rejected: 5, succeeded: 2 }, { accepted: 2, rejected: 5, succeeded: 2 })).toEqual([]);
    expect(poolMismatches({ submitted: 3, rejected: 5, succeeded: 2 }, { accepted: 2, rejected: 4, succeeded: 2 })).toEqual(['pool submitted 3 ≠ 2 accepted', 'pool rejected 5 ≠ 4 answered 429']);
  });

  it("takes the server's own time of each answer by status", () => {
    const times: ServerTimes = { arrival: [0, 1, NaN], status: [202, 429, 429], receivedAt: [10, 20, 30], finishedAt: [12, 21, 34] };
    expect(serverSideMs(times, 429)).toEqual([1, 4]);
    expect(serverSideMs(times, 500)).toEqual([]);
  });

  it('splits each answer between before, in and after the server, joining both sides on the arrival index', () => {
    // arrival 1: sent at 100, received 130, finished 132, answered at 140 (ms 40); arrival 3: sent 200, received 201, finished 203, answered 210
    const records: ArrivalRecord[] = [
      { index: 1, lagMs: 0, status: 429, sentAt: 100, ms: 40 },
      { index: 3, lagMs: 0, status: 429, sentAt: 200, ms: 10 },
      { index: 4, lagMs: 0, status: 429, sentAt: 300, ms: 5 },
      { index: 0, lagMs: 0, status: 202, sentAt: 50, ms: 5 },
    ];
    const times: ServerTimes = { arrival: [3, 1, 0, NaN], status: [429, 429, 202, 429], receivedAt: [201, 130, 51, 301], finishedAt: [203, 132, 53, 302] };
    const split = latencyBreakdown(records, times, 429);
    expect(split.joined).toBe(2);
    expect(split.beforeServer.max).toBe(30);
    expect(split.inServer.max).toBe(2);
    expect(split.afterServer.max).toBe(8);
    expect(split.beforeServer.p50 + split.inServer.p50 + split.afterServer.p50).toBeCloseTo(25, 6);
    expect(latencyBreakdown(records, times, 500).joined).toBe(0);
  });
});

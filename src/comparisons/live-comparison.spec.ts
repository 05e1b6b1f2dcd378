import { ErrorCode } from '../common/error-code';
import type { ComparisonHandle } from '../pool';
import { LiveComparison, type LiveCell } from './live-comparison';

function comparison(statuses: LiveCell['status'][]): { live: LiveComparison; cancelled: () => number } {
  const cells = statuses.map((status, column): LiveCell => ({ row: 0, column, prompt: 'red dress', checkpointId: `c${column}`, trainingStep: column, status, ...(status === 'succeeded' ? { png: Buffer.from('png') } : {}) }));
  const live = new LiveComparison('id-1', 'alice', '42', false, [cells]);
  let calls = 0;
  live.attach([{ cancel: () => calls++ } as unknown as ComparisonHandle]);
  return { live, cancelled: () => calls };
}

describe('LiveComparison', () => {
  it('cancel stops the pool jobs; queued and running cells read cancelled at once, done ones keep their image', () => {
    const { live, cancelled } = comparison(['succeeded', 'running', 'queued']);
    live.status = 'running';
    expect(live.cancel()).toBe(true);
    expect(cancelled()).toBe(1);
    const view = live.view();
    expect(view).toMatchObject({ status: 'cancelled', error: { code: ErrorCode.CANCELLED, message: 'comparison id-1 was cancelled' } });
    expect(view.cells.map((c) => [c.status, c.imageUrl])).toEqual([
      ['succeeded', '/v1/comparisons/id-1/cells/0/0'],
      ['cancelled', undefined],
      ['cancelled', undefined],
    ]);
    // Cancelling again changes nothing.
    expect(live.cancel()).toBe(false);
    expect(cancelled()).toBe(1);
  });

  it('does not cancel one whose every cell is done (only its grid is being drawn) or that has failed', () => {
    const done = comparison(['succeeded', 'succeeded']);
    done.live.status = 'running';
    expect(done.live.cancel()).toBe(false);
    expect(done.live.view().status).toBe('running');
    const failed = comparison(['failed', 'queued']);
    failed.live.status = 'failed';
    expect(failed.live.cancel()).toBe(false);
    expect(failed.cancelled()).toBe(0);
  });

  it("serves a cell's PNG once it has succeeded: CONFLICT before, NOT_FOUND past the grid", () => {
    const { live } = comparison(['succeeded', 'running']);
    expect(live.png('0', '0').toString()).toBe('png');
    expect(() => live.png('0', '1')).toThrow(expect.objectContaining({ code: ErrorCode.CONFLICT, message: 'comparison id-1 cell 0/1 is running; its image exists once it has succeeded' }));
    expect(() => live.png('1', '0')).toThrow(expect.objectContaining({ code: ErrorCode.NOT_FOUND }));
    expect(() => live.png('0x1', '0')).toThrow(expect.objectContaining({ code: ErrorCode.NOT_FOUND }));
  });

  it('a step makes the cell and the comparison running', () => {
    const { live } = comparison(['queued', 'queued']);
    live.stepped(0, 1);
    expect([live.status, live.view().cells.map((c) => c.status)]).toEqual(['running', ['queued', 'running']]);
  });
});

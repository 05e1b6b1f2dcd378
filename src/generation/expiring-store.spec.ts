import { ApiError, ErrorCode } from '../common/error-code';
import { SERVER_RESTARTED } from '../common/unknown-result';
import { timeOrderedId } from '../common/time-ordered-id';
import { ExpiringStore, TOMBSTONES } from './expiring-store';
import { ResultBudget } from './result-budget';

interface Entry {
  readonly id: string;
  readonly createdAt: number;
  finished: boolean;
}

function errorOf(read: () => unknown): ApiError {
  try {
    read();
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('expected an error');
}

describe('ExpiringStore: results kept for a time and within a byte budget', () => {
  let now: number;
  const clock = (): number => now;
  const entry = (id: string, finished = true): Entry => ({ id, createdAt: now, finished });
  const store = (options: { budget?: ResultBudget | number; startedAt?: number } = {}): ExpiringStore<Entry> =>
    new ExpiringStore<Entry>('generation', 1_000, { ...options, now: clock }, (e) => e.finished);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('drops finished records past the result time, oldest first, and answers their ids with 410 GONE', () => {
    const results = store();
    const removed: string[] = [];
    results.onRemoved((id) => removed.push(id));
    results.add(entry('a'));
    now += 600;
    results.add(entry('b'));
    now += 500;
    expect(results.has('a')).toBe(false);
    expect(results.get('b').id).toBe('b');
    expect(removed).toEqual(['a']);
    const error = errorOf(() => results.get('a'));
    expect([error.code, error.message]).toEqual([ErrorCode.GONE, 'generation a has expired and its results were deleted']);
  });

  it('keeps a record that has not finished past its time, and drops it once finished', () => {
    const results = store();
    const running = entry('r', false);
    results.add(running);
    now += 5_000;
    expect(results.has('r')).toBe(true);
    running.finished = true;
    expect(results.has('r')).toBe(false);
  });

  it('answers an id it never held with 404, or 410 when it was minted before the process started', () => {
    const startedAt = Date.now();
    const results = store({ startedAt });
    expect(errorOf(() => results.get('never-made')).code).toBe(ErrorCode.NOT_FOUND);
    const before = timeOrderedId(startedAt - 60_000);
    const lost = errorOf(() => results.get(before));
    expect([lost.code, lost.details]).toEqual([ErrorCode.GONE, { id: before, reason: SERVER_RESTARTED }]);
  });

  it('charges bytes to a budget shared with other stores: past it the oldest result of any store goes', () => {
    const budget = new ResultBudget(1_000);
    const generations = store({ budget });
    const comparisons = new ExpiringStore<Entry>('comparison', 1_000, { budget, now: clock });
    const g1 = entry('g1');
    generations.add(g1);
    generations.charge(g1, 600);
    const c1 = entry('c1');
    comparisons.add(c1);
    comparisons.charge(c1, 300);
    const g2 = entry('g2');
    generations.add(g2);
    generations.charge(g2, 200);
    expect(budget.usedBytes).toBe(500);
    expect(errorOf(() => generations.get('g1')).code).toBe(ErrorCode.GONE);
    expect([comparisons.get('c1').id, generations.get('g2').id]).toEqual(['c1', 'g2']);
    // Budget keys are per kind: the same id in two stores is two results.
    const same = entry('g2');
    comparisons.add(same);
    comparisons.charge(same, 100);
    expect(budget.usedBytes).toBe(600);
  });

  it('does not charge a record it no longer holds, and gives back the bytes of what it drops', () => {
    const budget = new ResultBudget(10_000);
    const results = store({ budget });
    const a = entry('a');
    results.add(a);
    results.charge(a, 400);
    now += 2_000;
    expect(results.has('a')).toBe(false);
    expect(budget.usedBytes).toBe(0);
    results.charge(a, 400);
    expect(budget.usedBytes).toBe(0);
  });

  it('remembers a bounded number of dropped ids: the oldest tombstones are forgotten and read as 404', () => {
    const results = store({ budget: 1 });
    for (let i = 0; i <= TOMBSTONES; i++) {
      const e = entry(`id-${i}`);
      results.add(e);
      // Larger than the whole budget: it evicts itself at once.
      results.charge(e, 2);
    }
    expect(results.size).toBe(0);
    expect(errorOf(() => results.get('id-0')).code).toBe(ErrorCode.NOT_FOUND);
    expect(errorOf(() => results.get('id-1')).code).toBe(ErrorCode.GONE);
    expect(errorOf(() => results.get(`id-${TOMBSTONES}`)).code).toBe(ErrorCode.GONE);
  });

  it('pages the records a reader may see, newest first by id, after a cursor, skipping expired ones', () => {
    const results = store();
    const ids = [0, 1, 2, 3].map((i) => timeOrderedId(now + i));
    // Finished out of order: the page follows the ids (creation), not insertion.
    for (const id of [ids[2], ids[0], ids[3], ids[1]] as string[]) results.add(entry(id));
    const mine = (e: Entry): boolean => e.id !== ids[2];
    expect(results.page(mine, 2)).toEqual({ items: [entry(ids[3] as string), entry(ids[1] as string)], more: true });
    expect(results.page(mine, 2, ids[1])).toEqual({ items: [entry(ids[0] as string)], more: false });
    now += 1_500;
    const fresh = timeOrderedId(now);
    results.add(entry(fresh));
    expect(results.page(() => true, 10).items.map((e) => e.id)).toEqual([fresh]);
  });
});

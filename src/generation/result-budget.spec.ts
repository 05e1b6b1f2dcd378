import { randomUUID } from 'node:crypto';
import { ApiError, ErrorCode } from '../common/error-code';
import { timeOrderedId } from '../common/time-ordered-id';
import { ComparisonStore, type ComparisonRecord } from '../comparisons/comparison-store';
import { GenerationStore, type GenerationRecord } from './generation-store';
import { ResultBudget } from './result-budget';

const HOUR = 3_600_000;

function generation(id: string, createdAt = Date.now()): GenerationRecord {
  return { id, checkpointId: 'final', createdAt, status: 'running', progress: { step: 0, totalSteps: 1, etaMs: 0 }, images: [] };
}

function finish(store: GenerationStore, record: GenerationRecord, bytes: number): void {
  store.setImages(record, [{ index: 0, seed: '1', mimeType: 'image/png', bytes: Buffer.alloc(bytes) }]);
  record.status = 'succeeded';
}

function comparison(id: string, gridBytes: number): ComparisonRecord {
  return { id, createdAt: Date.now(), seed: '1', cells: [[{ prompt: 'p', checkpointId: 'final', trainingStep: 1, png: Buffer.alloc(100) }]], hasReference: false, width: 64, height: 64, grid: Buffer.alloc(gridBytes) };
}

function errorOf(read: () => unknown): ApiError {
  try {
    read();
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('expected an error');
}

describe('ResultBudget: one byte budget for every kept result', () => {
  it('evicts the oldest result of either store once generations and comparisons together pass it', () => {
    const budget = new ResultBudget(1_000);
    const generations = new GenerationStore(HOUR, { budget });
    const comparisons = new ComparisonStore(HOUR, { budget });
    const first = generation('g1');
    generations.add(first);
    finish(generations, first, 500);
    comparisons.add(comparison('c1', 300));
    expect(budget.usedBytes).toBe(900);
    expect(generations.has('g1')).toBe(true);

    const second = generation('g2');
    generations.add(second);
    finish(generations, second, 200);
    // 1,100 bytes: the oldest (g1) goes, the comparison and g2 stay.
    expect(budget.usedBytes).toBe(600);
    expect(errorOf(() => generations.get('g1')).code).toBe(ErrorCode.GONE);
    expect(comparisons.get('c1').id).toBe('c1');
    expect(generations.get('g2')).toBe(second);

    comparisons.add(comparison('c2', 800));
    expect(errorOf(() => comparisons.get('c1')).code).toBe(ErrorCode.GONE);
    expect(errorOf(() => generations.get('g2')).code).toBe(ErrorCode.GONE);
    expect(budget.usedBytes).toBe(900);
  });

  it('never evicts a generation still running (it holds no bytes yet)', () => {
    const budget = new ResultBudget(100);
    const store = new GenerationStore(HOUR, { budget });
    const running = generation('running');
    store.add(running);
    const done = generation('done');
    store.add(done);
    finish(store, done, 500);
    expect(store.has('running')).toBe(true);
    expect(store.has('done')).toBe(false);
    expect(budget.usedBytes).toBe(0);
  });

  it('tells listeners which records left, expired or evicted, and releases their bytes at expiry', () => {
    let now = 1_000_000;
    const budget = new ResultBudget(10_000);
    const store = new GenerationStore(1_000, { budget, now: () => now });
    const removed: string[] = [];
    store.onRemoved((id) => removed.push(id));
    const old = generation('old', now);
    store.add(old);
    finish(store, old, 400);
    now += 2_000;
    expect(store.has('old')).toBe(false);
    expect(removed).toEqual(['old']);
    expect(budget.usedBytes).toBe(0);
  });
});

describe('ids unknown after a restart (local mode)', () => {
  const startedAt = Date.parse('2026-01-02T00:00:00Z');

  it('answers 410 with reason "server restarted" for an id minted before this store started', () => {
    const store = new GenerationStore(HOUR, { startedAt, now: () => startedAt + 60_000 });
    const error = errorOf(() => store.get(timeOrderedId(startedAt - 5_000)));
    expect(error.code).toBe(ErrorCode.GONE);
    expect(error.details).toMatchObject({ reason: 'server restarted' });
    expect(error.message).toMatch(/kept in memory in local mode.*AFD_JOBS=redis/);
    const comparisons = new ComparisonStore(HOUR, { startedAt, now: () => startedAt + 60_000 });
    expect(errorOf(() => comparisons.get(timeOrderedId(startedAt - 1))).details).toMatchObject({ reason: 'server restarted' });
  });

  it('keeps 404 for ids minted since the start, for other UUID versions and for any other text', () => {
    const store = new GenerationStore(HOUR, { startedAt, now: () => startedAt + 60_000 });
    for (const id of [timeOrderedId(startedAt + 1_000), randomUUID(), 'nope', '']) expect(errorOf(() => store.get(id)).code).toBe(ErrorCode.NOT_FOUND);
  });
});

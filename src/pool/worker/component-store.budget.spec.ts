/**
 * The memory budget charges what a component was measured to take resident, not its file bytes
 * (issue 21, item 4). Real sessions of the tiny preset, created in-process by the ComponentStore;
 * the measurement is injected (a fixed multiple of the files) so that the arithmetic is exact, and
 * the real RSS probe is checked on its own.
 */
import { describeCheckpoint } from '../main/checkpoint-catalog';
import { PoolError } from '../protocol/pool-errors';
import { zeroWorkerCounters, type CheckpointSpec, type ComponentEvent, type WorkerCounters } from '../protocol/protocol';
import { makeCheckpointFamily, type CheckpointFamily } from '../testing/checkpoint-family.fixture';
import { ComponentStore, componentsOf } from './component-store';
import { measureNothing, type MeasureResidentBytes } from './resident-cost';

/** Every session measured at twice its files. */
const TWICE_THE_FILES: MeasureResidentBytes = async (create, component) => {
  await create();
  return 2 * component.bytes;
};

const counters = (): WorkerCounters => zeroWorkerCounters();

describe('ComponentStore: the budget counts measured resident cost', () => {
  let family: CheckpointFamily;
  let specs: CheckpointSpec[];
  /** File bytes of the components every member shares (text encoder, VAE decoder, VAE encoder), and of one UNet. */
  let shared: number;
  let unet: number;
  const stores: ComponentStore[] = [];

  beforeAll(async () => {
    family = makeCheckpointFamily(3);
    specs = await Promise.all(family.dirs.map((dir, i) => describeCheckpoint({ id: `ft-${i}`, dir, pinned: false })));
    const first = specs[0] as CheckpointSpec;
    unet = first.components.unet.bytes;
    shared = componentsOf(first)
      .filter((c) => c.kind !== 'unet')
      .reduce((n, c) => n + c.bytes, 0);
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.releaseAll()));
  });
  afterAll(() => family?.remove());

  function store(memoryBudgetBytes: number, measureResidentBytes?: MeasureResidentBytes, events: ComponentEvent[] = []): ComponentStore {
    const made = new ComponentStore(
      { memoryBudgetBytes, runtime: { device: 'cpu', intraOpThreads: 1 }, checkpoints: specs, deviceName: 'cpu', ...(measureResidentBytes ? { measureResidentBytes } : {}) },
      (event) => events.push(event),
      counters(),
    );
    stores.push(made);
    return made;
  }
  const unetsOf = (s: ComponentStore) =>
    s
      .report()
      .components.filter((c) => c.kind === 'unet')
      .flatMap((c) => c.checkpointIds)
      .sort();

  it('evicts for a third UNet when the budget fits two UNets at their measured cost, though their files would fit three', async () => {
    const budget = 2 * shared + 4 * unet + unet / 2;
    expect(shared + 3 * unet).toBeLessThanOrEqual(budget); // three by file bytes

    // Charged by file bytes (nothing measured), three UNets fit.
    const byFiles = store(budget, measureNothing);
    for (const id of ['ft-0', 'ft-1', 'ft-2']) await byFiles.ensure(id);
    expect(unetsOf(byFiles)).toEqual(['ft-0', 'ft-1', 'ft-2']);
    expect(byFiles.usedBytes).toBe(shared + 3 * unet);

    // Charged by measured cost, the third UNet evicts the least recently used one.
    const events: ComponentEvent[] = [];
    const measured = store(budget, TWICE_THE_FILES, events);
    await measured.ensure('ft-0');
    await measured.ensure('ft-1');
    expect(measured.usedBytes).toBe(2 * shared + 4 * unet);
    await measured.ensure('ft-2');
    expect(unetsOf(measured)).toEqual(['ft-1', 'ft-2']);
    expect(events.filter((e) => e.type === 'evicted').map((e) => [e.kind, e.checkpointIds])).toEqual([['unet', ['ft-0']]]);
    const report = measured.report();
    expect(report.usedBytes).toBe(2 * shared + 4 * unet);
    for (const c of report.components) expect(c.measuredBytes).toBe(2 * c.bytes);
    // ft-0 was evicted; its measured cost stays known (and reported).
    expect(report.measuredCheckpointBytes).toEqual({ 'ft-0': 2 * (shared + unet), 'ft-1': 2 * (shared + unet), 'ft-2': 2 * (shared + unet) });
  });

  it('plans a reload on the remembered cost, and evicts after a first load that measured more than its files', async () => {
    // Two UNets by file bytes, one by measured cost.
    const budget = 2 * shared + 3 * unet + unet / 2;
    const events: ComponentEvent[] = [];
    const s = store(budget, TWICE_THE_FILES, events);
    await s.ensure('ft-0');
    // ft-1's UNet is planned on its files (it fits), measured at twice them: ft-0's idle UNet goes afterwards.
    await s.ensure('ft-1');
    expect(unetsOf(s)).toEqual(['ft-1']);
    expect(s.usedBytes).toBeLessThanOrEqual(budget);
    // ft-0 again: planned on its remembered cost, so ft-1's UNet goes before ft-0's is created.
    await s.ensure('ft-0');
    expect(unetsOf(s)).toEqual(['ft-0']);
    const order = events.filter((e) => e.kind === 'unet' && e.type !== 'loading').map((e) => `${e.type}:${e.checkpointIds.join()}`);
    expect(order).toEqual(['loaded:ft-0', 'loaded:ft-1', 'evicted:ft-0', 'evicted:ft-1', 'loaded:ft-0']);
    expect(s.usedBytes).toBe(2 * shared + 2 * unet);
  });

  it('refuses a reload that its measured cost can never fit, though its files would', async () => {
    const budget = shared + unet + 1000; // its files fit; twice them do not
    const s = store(budget, TWICE_THE_FILES);
    await s.ensure('ft-0'); // planned on its files: loads, measured over the budget
    await s.unload('ft-0');
    expect(s.report().components).toEqual([]);
    await expect(s.ensure('ft-0')).rejects.toThrow(PoolError);
    await expect(s.ensure('ft-0')).rejects.toMatchObject({ code: 'MEMORY_BUDGET_EXCEEDED' });
  });

  it('measures with the real RSS probe by default on CPU: every component at least its files', async () => {
    const s = store(Number.POSITIVE_INFINITY);
    await s.ensure('ft-0');
    const report = s.report();
    expect(report.components.length).toBeGreaterThanOrEqual(3);
    for (const c of report.components) expect(c.measuredBytes).toBeGreaterThanOrEqual(c.bytes);
    expect(report.usedBytes).toBe(report.components.reduce((n, c) => n + (c.measuredBytes ?? 0), 0));
    expect(report.measuredCheckpointBytes['ft-0']).toBe(report.usedBytes);
  });
});

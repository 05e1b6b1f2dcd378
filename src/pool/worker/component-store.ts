/**
 * The sessions one device worker holds, content-addressed: a component (text encoder, UNet, VAE
 * decoder, and the VAE encoder of a checkpoint that can do image to image) is keyed by kind and
 * sha256, so checkpoints that share a component share one session.
 *
 * Residency rules, all enforced here:
 * - the cost of loaded and loading components stays within the budget. A component's cost is what
 *   its session was measured to take when it was created (resident-cost.ts: RSS growth on CPU),
 *   never less than its folder's file bytes; before its first load only the file bytes are known,
 *   so that load is planned on them. The store remembers the cost per component, so a reload after
 *   an eviction is planned on it, and keeps the largest measured (a session created into memory an
 *   evicted one freed shows less RSS growth than it takes). A load that measures more than planned
 *   evicts idle components afterwards to get back within the budget;
 * - checkpoints load on demand; room is made by evicting the least recently used idle component:
 *   a UNet no running job holds, or a text encoder / VAE decoder / VAE encoder that no loaded UNet's
 *   checkpoint uses;
 * - components a running job holds, components of pinned checkpoints and components of a
 *   checkpoint being loaded are never evicted; when nothing can be evicted yet, the load waits
 *   until a job ends; when it can never fit (pinned components take the room), it fails;
 * - a load creates one session at a time, so the worker's UNet ticks interleave with it (creating
 *   them together would not overlap them: onnxruntime-node creates a session synchronously);
 * - sessions come through the optimised-graph cache when the runtime enables it
 *   (engine/model/optimized-model-cache.ts), keyed by the component's registered fingerprint;
 * - a load first verifies the files against their fingerprints from registration: a file changed
 *   since fails the load naming it, and the checkpoint is reported broken (`onBroken`), like one
 *   whose graph onnxruntime refuses.
 */
import { ModelDirectoryError } from '../../engine/errors';
import { componentRuntime } from '../../engine/model/component-runtime';
import { verifyFingerprints } from '../../engine/model/file-fingerprints';
import { loadComponentSession } from '../../engine/model/load-component-session';
import { loadVaeEncoder, type VaeEncoder } from '../../engine/model/load-vae-encoder';
import { COMPONENTS, type LoadableComponent } from '../../engine/model/model-directory';
import type { OptimizedCacheOutcome } from '../../engine/model/optimized-model-cache';
import type { OnnxSession, RuntimeOptions } from '../../engine/runtime/onnx-runtime';
import { PoolError } from '../protocol/pool-errors';
import { residentCostProbe, type MeasureResidentBytes } from './resident-cost';
import { Turns } from './turns';
import type { CheckpointSpec, ComponentEvent, ComponentResidency, ComponentSpec, DeviceResidencyReport, WorkerCounters } from '../protocol/protocol';

type SlotState = 'loading' | 'ready' | 'draining';

interface Slot {
  readonly key: string;
  readonly spec: ComponentSpec;
  /** Configured checkpoints whose component has this content. */
  readonly checkpointIds: readonly string[];
  state: SlotState;
  /** Its measured cost, once its session was created. */
  measured?: number;
  session?: OnnxSession;
  /** A VAE encoder's slot: how its (cut) graph's outputs read. */
  encoder?: VaeEncoder;
  /** Running jobs holding the slot. */
  holders: number;
  lastUsedSeq: number;
  lastUsedAt: number;
}

export interface ComponentStoreOptions {
  readonly memoryBudgetBytes: number;
  readonly runtime: RuntimeOptions;
  readonly checkpoints: readonly CheckpointSpec[];
  readonly deviceName: string;
  /** How a session's creation is measured; default `residentCostProbe(runtime.device)` (RSS growth on CPU). */
  readonly measureResidentBytes?: MeasureResidentBytes;
  /** Shared with the worker's loop, so no call runs while a session's creation is measured; default the store's own. */
  readonly turns?: Turns;
}

export function componentKey(spec: ComponentSpec): string {
  return `${spec.kind}:${spec.hash}`;
}

/** Every component a checkpoint loads: its three, and its VAE encoder when it has a usable one. */
export function componentsOf(spec: CheckpointSpec): ComponentSpec[] {
  const all = COMPONENTS.map((kind) => spec.components[kind]);
  return spec.vaeEncoder ? [...all, spec.vaeEncoder] : all;
}

export class ComponentStore {
  private readonly slots = new Map<string, Slot>();
  private readonly checkpoints = new Map<string, CheckpointSpec>();
  private readonly usersOfKey = new Map<string, string[]>();
  private readonly pinnedKeys = new Set<string>();
  /** Checkpoints inside `ensure`: their present components must stay. */
  private readonly protectedCheckpoints = new Map<string, number>();
  private readonly inProgress = new Map<string, Promise<void>>();
  /** Each component's measured cost (the largest seen), kept after it is evicted. */
  private readonly measuredCosts = new Map<string, number>();
  private readonly measure: MeasureResidentBytes;
  private readonly turns: Turns;
  private roomWaiters: (() => void)[] = [];
  private useSeq = 0;

  /** Called synchronously when a checkpoint becomes resident, before anything else can evict it. */
  onResident: (checkpointId: string) => void = () => undefined;

  /** Called when a load finds the checkpoint's files broken: changed since registration, or a graph onnxruntime refuses. */
  onBroken: (checkpointId: string, error: ModelDirectoryError) => void = () => undefined;

  constructor(
    private readonly options: ComponentStoreOptions,
    private readonly emit: (event: ComponentEvent) => void,
    private readonly counters: WorkerCounters,
  ) {
    this.measure = options.measureResidentBytes ?? residentCostProbe(options.runtime.device);
    this.turns = options.turns ?? new Turns();
    for (const c of options.checkpoints) {
      this.checkpoints.set(c.id, c);
      for (const component of componentsOf(c)) {
        const key = componentKey(component);
        this.usersOfKey.set(key, [...(this.usersOfKey.get(key) ?? []), c.id]);
        if (c.pinned) this.pinnedKeys.add(key);
      }
    }
  }

  get usedBytes(): number {
    let total = 0;
    for (const slot of this.slots.values()) total += this.costOf(slot.key);
    return total;
  }

  isResident(checkpointId: string): boolean {
    return this.keysOf(checkpointId).every((key) => this.slots.get(key)?.state === 'ready');
  }

  /** The session of a resident checkpoint's component. */
  session(checkpointId: string, kind: LoadableComponent): OnnxSession {
    const slot = this.slots.get(this.keyOf(checkpointId, kind));
    if (!slot?.session || slot.state === 'loading') throw new Error(`${kind} of checkpoint ${checkpointId} is not loaded`);
    return slot.session;
  }

  /** A resident checkpoint's VAE encoder (its session and how its outputs read). */
  vaeEncoder(checkpointId: string): VaeEncoder {
    const slot = this.slots.get(this.keyOf(checkpointId, 'vae_encoder'));
    if (!slot?.encoder || slot.state === 'loading') throw new Error(`vae_encoder of checkpoint ${checkpointId} is not loaded`);
    return slot.encoder;
  }

  keyOf(checkpointId: string, kind: LoadableComponent): string {
    const spec = this.spec(checkpointId);
    const component = kind === 'vae_encoder' ? spec.vaeEncoder : spec.components[kind];
    if (!component) throw new PoolError('INVALID_INPUT', `checkpoint "${checkpointId}" cannot do image to image: ${spec.imageToImageProblem ?? 'it has no vae_encoder'}`, { checkpointId });
    return componentKey(component);
  }

  /** Hashes of the UNets present (loading, ready or draining): what placement prefers. */
  residentUnets(): string[] {
    return [...this.slots.values()].filter((s) => s.spec.kind === 'unet').map((s) => s.spec.hash);
  }

  touch(key: string): void {
    const slot = this.slots.get(key);
    if (!slot) return;
    slot.lastUsedSeq = ++this.useSeq;
    slot.lastUsedAt = Date.now();
  }

  /**
   * Runs one call on a resident checkpoint's component, holding it for the call's duration: a
   * job cancelled while its call is queued must not let that session be released under the call.
   */
  async use<T>(checkpointId: string, kind: LoadableComponent, call: (session: OnnxSession) => Promise<T>): Promise<T> {
    const key = this.keyOf(checkpointId, kind);
    const slot = this.slots.get(key);
    if (!slot?.session || slot.state === 'loading') throw new Error(`${kind} of checkpoint ${checkpointId} is not loaded`);
    slot.holders++;
    this.touch(key);
    try {
      return await call(slot.session);
    } finally {
      slot.holders--;
      this.signalRoom();
    }
  }

  /** A running job holds all its checkpoint's components until `release`. */
  acquire(checkpointId: string): void {
    for (const key of this.keysOf(checkpointId)) {
      const slot = this.slots.get(key);
      if (!slot) throw new Error(`checkpoint ${checkpointId} is not resident`);
      slot.holders++;
      this.touch(key);
    }
  }

  release(checkpointId: string): void {
    for (const key of this.keysOf(checkpointId)) {
      const slot = this.slots.get(key);
      if (slot) slot.holders = Math.max(0, slot.holders - 1);
    }
    this.signalRoom();
  }

  /** Makes a checkpoint resident (loading what is missing); concurrent calls share one load. */
  ensure(checkpointId: string): Promise<void> {
    let running = this.inProgress.get(checkpointId);
    if (!running) {
      running = this.load(checkpointId).finally(() => this.inProgress.delete(checkpointId));
      this.inProgress.set(checkpointId, running);
    }
    return running;
  }

  get loadsInProgress(): number {
    return this.inProgress.size;
  }

  /**
   * Releases a checkpoint's UNet once no job holds it (new jobs for it wait meanwhile and load it
   * again afterwards), then its text encoder and VAE if no other loaded UNet uses them.
   */
  async unload(checkpointId: string): Promise<void> {
    const spec = this.spec(checkpointId);
    if (spec.pinned) throw new PoolError('INVALID_INPUT', `checkpoint "${checkpointId}" is pinned and cannot be unloaded`, { checkpointId });
    const unetKey = this.keyOf(checkpointId, 'unet');
    if (this.pinnedKeys.has(unetKey)) {
      throw new PoolError('INVALID_INPUT', `checkpoint "${checkpointId}" shares its UNet with a pinned checkpoint; it stays loaded`, { checkpointId });
    }
    await this.inProgress.get(checkpointId)?.catch(() => undefined);
    let slot = this.slots.get(unetKey);
    if (!slot) return;
    // Someone else (another checkpoint with this UNet) may be loading it: let that finish first.
    while (slot.state === 'loading') {
      await this.roomChanged();
      slot = this.slots.get(unetKey);
      if (!slot) return;
    }
    // Loads waiting for this UNet see it draining and wait; they load it again afterwards.
    slot.state = 'draining';
    while (slot.holders > 0) await this.roomChanged();
    this.drop(slot, 'unloaded');
    for (const component of componentsOf(spec).filter((c) => c.kind !== 'unet')) {
      const other = this.slots.get(componentKey(component));
      if (other && other.state === 'ready' && other.holders === 0 && !this.pinnedKeys.has(other.key) && !this.isProtected(other.key) && this.isOrphan(other)) {
        this.drop(other, 'unloaded');
      }
    }
    this.signalRoom();
  }

  report(): DeviceResidencyReport {
    const components: ComponentResidency[] = [...this.slots.values()].map((s) => ({
      kind: s.spec.kind,
      hash: s.spec.hash,
      bytes: s.spec.bytes,
      measuredBytes: s.measured ?? null,
      checkpointIds: s.checkpointIds,
      state: s.state,
      pinned: this.pinnedKeys.has(s.key),
      lastUsedAt: s.lastUsedAt,
      activeJobs: s.holders,
    }));
    return {
      memoryBudgetBytes: this.options.memoryBudgetBytes,
      usedBytes: this.usedBytes,
      components,
      residentCheckpointIds: [...this.checkpoints.keys()].filter((id) => this.isResident(id)),
      measuredCheckpointBytes: this.measuredCheckpointBytes(),
    };
  }

  async releaseAll(): Promise<void> {
    const slots = [...this.slots.values()];
    this.slots.clear();
    await Promise.all(slots.map((s) => s.session?.release().catch(() => undefined)));
  }

  private async load(checkpointId: string): Promise<void> {
    const spec = this.spec(checkpointId);
    const keys = this.keysOf(checkpointId);
    this.protectedCheckpoints.set(checkpointId, (this.protectedCheckpoints.get(checkpointId) ?? 0) + 1);
    try {
      await verifyFingerprints(spec.dir, spec.files);
      for (;;) {
        const present = keys.map((key) => this.slots.get(key));
        if (present.some((s) => s?.state === 'draining')) {
          await this.roomChanged();
          continue;
        }
        const missing = componentsOf(spec).filter((c) => !this.slots.has(componentKey(c)));
        if (missing.length === 0) {
          if (present.every((s) => s?.state === 'ready')) break;
          await this.roomChanged(); // another checkpoint is loading a shared component
          continue;
        }
        const needed = missing.reduce((n, c) => n + this.costOf(componentKey(c)), 0);
        const shortfall = this.usedBytes + needed - this.options.memoryBudgetBytes;
        if (shortfall > 0) {
          const victims = this.victims(shortfall, new Set(keys));
          if (!victims) {
            this.assertCanEverFit(spec);
            await this.roomChanged();
            continue;
          }
          for (const victim of victims) this.drop(victim, 'evicted');
        }
        await this.createSessions(spec, missing);
      }
      this.trimToBudget(new Set(keys));
      this.touchAll(keys);
      this.onResident(checkpointId);
    } catch (error) {
      if (error instanceof ModelDirectoryError) this.onBroken(checkpointId, error);
      throw error;
    } finally {
      const left = (this.protectedCheckpoints.get(checkpointId) ?? 1) - 1;
      if (left > 0) this.protectedCheckpoints.set(checkpointId, left);
      else this.protectedCheckpoints.delete(checkpointId);
      this.signalRoom();
    }
  }

  /** Reserves every missing component at once (their bytes count from now), then creates them one by one. */
  private async createSessions(checkpoint: CheckpointSpec, missing: readonly ComponentSpec[]): Promise<void> {
    const reserved = missing.map((spec) => {
      const slot: Slot = {
        key: componentKey(spec),
        spec,
        checkpointIds: this.usersOfKey.get(componentKey(spec)) ?? [],
        state: 'loading',
        holders: 0,
        lastUsedSeq: ++this.useSeq,
        lastUsedAt: Date.now(),
      };
      this.slots.set(slot.key, slot);
      return slot;
    });
    for (let i = 0; i < reserved.length; i++) {
      const slot = reserved[i] as Slot;
      const started = performance.now();
      let optimizedGraph: OptimizedCacheOutcome | undefined;
      this.emit(this.event('loading', slot));
      try {
        await verifyFingerprints(checkpoint.dir, slot.spec.files);
        const source = { hash: slot.spec.hash, files: [...slot.spec.files] };
        const create = async (): Promise<void> => {
          if (slot.spec.kind === 'vae_encoder') {
            // Cut at its distribution first (vae-encoder-graph.ts): the request's generator samples it.
            const loaded = await loadVaeEncoder(checkpoint.dir, slot.spec.graphPath, componentRuntime('vae_encoder', this.options.runtime), source);
            slot.session = loaded.session;
            slot.encoder = loaded.encoder;
          } else {
            const loaded = await loadComponentSession(slot.spec.graphPath, this.options.runtime, { kind: slot.spec.kind, source });
            slot.session = loaded.session;
            optimizedGraph = loaded.cache;
          }
        };
        const grown = await this.turns.run(() => this.measure(create, slot.spec));
        this.recordCost(slot, grown);
      } catch (error) {
        for (const s of reserved.slice(i)) this.slots.delete(s.key);
        const message = firstLine(error);
        this.emit({ ...this.event('load-failed', slot), error: message });
        this.signalRoom();
        if (error instanceof ModelDirectoryError) throw error;
        throw new ModelDirectoryError(checkpoint.dir, `${slot.spec.kind}/model.onnx`, `onnxruntime cannot load it (${message})`);
      }
      slot.state = 'ready';
      this.counters.sessionsCreated++;
      this.touch(slot.key);
      this.emit({ ...this.event('loaded', slot), durationMs: Math.round(performance.now() - started), ...(optimizedGraph ? { optimizedGraph } : {}) });
      this.signalRoom();
    }
  }

  /**
   * The least recently used evictable components that free at least `bytes`, or undefined when
   * evicting everything evictable would not be enough (then nothing is evicted).
   */
  private victims(bytes: number, keep: ReadonlySet<string>): Slot[] | undefined {
    const chosen: Slot[] = [];
    const gone = new Set<string>();
    let freed = 0;
    while (freed < bytes) {
      let best: Slot | undefined;
      for (const slot of this.slots.values()) {
        if (gone.has(slot.key) || keep.has(slot.key) || !this.evictable(slot, gone)) continue;
        if (!best || slot.lastUsedSeq < best.lastUsedSeq) best = slot;
      }
      if (!best) return undefined;
      chosen.push(best);
      gone.add(best.key);
      freed += this.costOf(best.key);
    }
    return chosen;
  }

  private evictable(slot: Slot, gone: ReadonlySet<string>): boolean {
    if (slot.state !== 'ready' || slot.holders > 0 || this.pinnedKeys.has(slot.key) || this.isProtected(slot.key)) return false;
    return slot.spec.kind === 'unet' || this.isOrphan(slot, gone);
  }

  /** A text encoder or VAE that no present UNet's checkpoint uses. */
  private isOrphan(slot: Slot, gone: ReadonlySet<string> = new Set()): boolean {
    return slot.checkpointIds.every((id) => {
      const unet = this.keyOf(id, 'unet');
      return gone.has(unet) || !this.slots.has(unet);
    });
  }

  private isProtected(key: string): boolean {
    for (const id of this.protectedCheckpoints.keys()) if (this.keysOf(id).includes(key)) return true;
    return false;
  }

  private assertCanEverFit(spec: CheckpointSpec): void {
    const keys = new Set([...this.keysOf(spec.id), ...this.pinnedKeys]);
    let bytes = 0;
    for (const key of keys) bytes += this.costOf(key);
    if (bytes > this.options.memoryBudgetBytes) {
      const own = this.keysOf(spec.id).reduce((n, key) => n + this.costOf(key), 0);
      throw new PoolError(
        'MEMORY_BUDGET_EXCEEDED',
        `checkpoint "${spec.id}" needs ${own} bytes on ${this.options.deviceName}; with the pinned checkpoints that makes ${bytes}, ` +
          `over the memory budget of ${this.options.memoryBudgetBytes} bytes`,
        { checkpointId: spec.id, device: this.options.deviceName },
      );
    }
  }

  /** A component's cost as known now: the largest measured, or its file bytes before a first load. */
  private costOf(key: string): number {
    return this.measuredCosts.get(key) ?? this.componentSpec(key).bytes;
  }

  /** Charges a created session what it was measured to take, never less than its file bytes. */
  private recordCost(slot: Slot, grown: number): void {
    const measured = Math.max(slot.spec.bytes, Number.isFinite(grown) ? Math.round(grown) : 0);
    const cost = Math.max(measured, this.measuredCosts.get(slot.key) ?? 0);
    this.measuredCosts.set(slot.key, cost);
    slot.measured = cost;
  }

  /** After a load measured more than it was planned on: evicts idle components (not `keep`) until the budget holds, if they suffice. */
  private trimToBudget(keep: ReadonlySet<string>): void {
    const over = this.usedBytes - this.options.memoryBudgetBytes;
    if (over <= 0) return;
    for (const victim of this.victims(over, keep) ?? []) this.drop(victim, 'evicted');
  }

  /** Checkpoints whose every component has a measured cost on this device: the sum. */
  private measuredCheckpointBytes(): Record<string, number> {
    const costs: Record<string, number> = {};
    for (const id of this.checkpoints.keys()) {
      const measured = this.keysOf(id).map((key) => this.measuredCosts.get(key));
      if (measured.every((cost) => cost !== undefined)) costs[id] = measured.reduce((n: number, cost) => n + (cost ?? 0), 0);
    }
    return costs;
  }

  private drop(slot: Slot, type: 'evicted' | 'unloaded'): void {
    this.slots.delete(slot.key);
    this.counters.sessionsReleased++;
    if (type === 'evicted') this.counters.evictions++;
    void slot.session?.release().catch(() => undefined);
    this.emit(this.event(type, slot));
  }

  private touchAll(keys: readonly string[]): void {
    for (const key of keys) this.touch(key);
  }

  private event(type: ComponentEvent['type'], slot: Slot): ComponentEvent {
    return {
      type,
      kind: slot.spec.kind,
      hash: slot.spec.hash,
      bytes: slot.spec.bytes,
      ...(slot.measured !== undefined ? { measuredBytes: slot.measured } : {}),
      checkpointIds: slot.checkpointIds,
    };
  }

  private roomChanged(): Promise<void> {
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  private signalRoom(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }

  private spec(checkpointId: string): CheckpointSpec {
    const spec = this.checkpoints.get(checkpointId);
    if (!spec) throw new PoolError('UNKNOWN_CHECKPOINT', `no checkpoint "${checkpointId}" on ${this.options.deviceName}`, { checkpointId });
    return spec;
  }

  private keysOf(checkpointId: string): string[] {
    return componentsOf(this.spec(checkpointId)).map(componentKey);
  }

  private componentSpec(key: string): ComponentSpec {
    const id = (this.usersOfKey.get(key) ?? [])[0];
    const spec = id === undefined ? undefined : this.checkpoints.get(id);
    const component = spec ? componentsOf(spec).find((c) => componentKey(c) === key) : undefined;
    if (!component) throw new Error(`unknown component ${key}`);
    return component;
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.slice(0, 300) ?? '';
}

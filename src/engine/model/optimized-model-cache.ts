/**
 * The optimised-graph cache. Creating a session spends most of its time optimising the graph (about
 * 36 s of a 40 s load for a Stable Diffusion 1.5-size UNet); onnxruntime can write the optimised
 * graph out, and loading that graph with optimisation off skips the work.
 *
 * - Where: `<component>/.afd-optimized/<key>/` (model.onnx and its weights), or, when the component
 *   folder is not writable, `<fallbackDir>/<folder id>/<key>/`. The content hash and the pool's byte
 *   count read only the files directly in a component folder, so the entry changes neither.
 * - Key: the onnxruntime release, the platform, the CPU (model and instruction-set flags), the device
 *   and the optimisation level. The graph is saved at the level asked for (default `all`), which
 *   gives byte-identical images; `all` includes layout transformations for this CPU's instruction
 *   set, so an entry is never shared with another CPU or release. CPU devices only: a CUDA session's
 *   optimised graph also depends on the GPU, which the key cannot see.
 * - Reuse: only when the source files still match the fingerprints stored with the entry (a stat,
 *   re-hashing only a file whose size or modification time changed: file-fingerprints.ts) and the
 *   entry's own files have the sizes and modification times it was written with.
 * - Writing: into a temporary sibling, renamed into place with its manifest last, so a reader never
 *   sees half an entry and concurrent writers let the first one win. A stale or corrupt entry is
 *   removed and written again. Nothing here ever fails a load: a cache problem means a plain load.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { ONNX_RUNTIME_VERSION, OnnxSession, type ModelSource, type RuntimeOptions } from '../runtime/onnx-runtime';
import { COMPONENT_CACHE_FOLDER } from './component-cache-folder';
import { fingerprintComponent, verifyFingerprints, type ComponentFingerprint } from './file-fingerprints';

/** The folder, inside a component folder, that holds its cached graphs. */
export const OPTIMIZED_CACHE_FOLDER = COMPONENT_CACHE_FOLDER;
const MANIFEST = 'manifest.json';
const MODEL = 'model.onnx';
const WEIGHTS = 'weights.pb';
/** Bump when the entry layout or manifest changes. */
const FORMAT = 1;
/** A temporary folder untouched this long was left by a writer that died (writing a 4 GB UNet takes well under a minute). */
const ABANDONED_AFTER_MS = 60 * 60 * 1000;

/** What a load did with the cache: reused an entry, wrote one, or loaded plainly (off, or nowhere to write). */
export type OptimizedCacheOutcome = 'hit' | 'written' | 'off' | 'unwritable';

export interface CachedSession {
  readonly session: OnnxSession;
  readonly cache: OptimizedCacheOutcome;
  /** The entry's folder, for `hit` and `written`. */
  readonly entry?: string;
}

interface EntryFile {
  readonly name: string;
  readonly size: number;
  readonly mtimeMs: number;
}

interface Manifest {
  readonly format: number;
  readonly key: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly source: ComponentFingerprint;
  readonly files: readonly EntryFile[];
}

/**
 * A session for `graphPath` (a component's model.onnx), through the cache when `runtime` enables it.
 * `source`, when the caller already holds the component's fingerprint (the pool does, from
 * registration), spares reading the files again when an entry is written.
 */
export async function loadOptimizedSession(graphPath: string, runtime: RuntimeOptions, source?: ComponentFingerprint, rewrite?: GraphRewrite): Promise<CachedSession> {
  const level = runtime.graphOptimization ?? 'all';
  const fallbackDir = runtime.optimizedModelCache?.fallbackDir;
  const componentDir = dirname(resolve(graphPath));
  // The rewrite runs only when a session is created from the component's own graph: not for an entry reused.
  let rewritten: Uint8Array | undefined | null = null;
  const load: GraphLoader = (extra = {}) => {
    if (rewritten === null) rewritten = rewrite?.apply();
    return rewritten ? OnnxSession.load(rewritten, runtime, { externalDataDir: componentDir, ...extra }) : OnnxSession.load(graphPath, runtime, extra);
  };
  if (fallbackDir === undefined || runtime.device !== 'cpu' || level === 'disabled') return { session: await load(), cache: 'off' };
  const environment = { ...cacheEnvironment(runtime, basename(graphPath)), graphRewrite: rewrite?.name ?? 'none' };
  const key = sha256(JSON.stringify(environment)).slice(0, 24);
  const roots = [join(componentDir, OPTIMIZED_CACHE_FOLDER), join(fallbackDir, sha256(componentDir).slice(0, 24))];
  for (const root of roots) {
    const entry = join(root, key);
    const session = await reuse(entry, key, componentDir, runtime, source);
    if (session) return { session, cache: 'hit', entry };
  }
  for (const root of roots) {
    const written = await writeEntry(load, root, key, environment, componentDir, source);
    if (written) return written;
  }
  return { session: await load(), cache: 'unwritable' };
}

/**
 * A rewrite of a component's graph at load (its weights stay in the component folder): its name is
 * part of the entry's key; `apply` answers the rewritten graph, or undefined to load the graph as it is.
 */
export interface GraphRewrite {
  readonly name: string;
  apply(): Uint8Array | undefined;
}

type GraphLoader = (extra?: ModelSource) => Promise<OnnxSession>;

/** What an entry was made for; its hash names the entry. */
function cacheEnvironment(runtime: RuntimeOptions, graphName: string): Record<string, string> {
  return {
    format: String(FORMAT),
    onnxruntime: ONNX_RUNTIME_VERSION,
    platform: platform(),
    arch: arch(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cpuFlags: cpuFlags(),
    device: runtime.device,
    graphOptimization: runtime.graphOptimization ?? 'all',
    graph: graphName,
  };
}

/** A hash of the CPU's instruction-set flags (Linux), since layout optimisations depend on them. */
function cpuFlags(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => /^(flags|Features)\s*:/.test(l));
    return line ? sha256(line).slice(0, 16) : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The entry's session when the entry is current and loads; otherwise removes it and returns undefined. */
async function reuse(entry: string, key: string, componentDir: string, runtime: RuntimeOptions, source?: ComponentFingerprint): Promise<OnnxSession | undefined> {
  if (!existsSync(entry)) return undefined;
  // A published entry always has its manifest: one without is damaged.
  if (!existsSync(join(entry, MANIFEST)) || !(await isCurrent(entry, key, componentDir, source))) {
    discard(entry);
    return undefined;
  }
  try {
    // Already optimised at the level asked for: optimising again would only cost time.
    return await OnnxSession.load(join(entry, MODEL), { ...runtime, graphOptimization: 'disabled' });
  } catch {
    discard(entry);
    return undefined;
  }
}

async function isCurrent(entry: string, key: string, componentDir: string, source?: ComponentFingerprint): Promise<boolean> {
  try {
    const manifest = JSON.parse(readFileSync(join(entry, MANIFEST), 'utf8')) as Manifest;
    if (manifest.format !== FORMAT || manifest.key !== key) return false;
    if (source && source.hash !== manifest.source.hash) return false;
    if (!sameNames(manifest.source.files.map((f) => basename(f.path)), componentFiles(componentDir))) return false;
    for (const file of manifest.files) {
      const stat = statSync(join(entry, file.name));
      if (stat.size !== file.size || stat.mtimeMs !== file.mtimeMs) return false;
    }
    await verifyFingerprints(dirname(componentDir), manifest.source.files);
    return true;
  } catch {
    return false;
  }
}

/** Creates the session while onnxruntime writes its optimised graph into a temporary folder, then publishes the folder as the entry. */
async function writeEntry(
  load: GraphLoader,
  root: string,
  key: string,
  environment: Record<string, string>,
  componentDir: string,
  source?: ComponentFingerprint,
): Promise<CachedSession | undefined> {
  const temp = join(root, `${key}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    mkdirSync(temp, { recursive: true });
  } catch {
    return undefined; // not writable: the next root, or a plain load
  }
  removeAbandoned(root, key);
  let session: OnnxSession;
  try {
    session = await load({ save: { modelPath: join(temp, MODEL), weightsFileName: WEIGHTS } });
  } catch {
    // The write may be what failed (a full disk); a plain load tells whether the graph itself is at fault.
    discard(temp);
    return { session: await load(), cache: 'unwritable' };
  }
  try {
    const fingerprint = source ?? (await fingerprintComponent(dirname(componentDir), basename(componentDir)));
    const files = readdirSync(temp).map((name) => {
      const stat = statSync(join(temp, name));
      return { name, size: stat.size, mtimeMs: stat.mtimeMs };
    });
    const manifest: Manifest = { format: FORMAT, key, environment, source: fingerprint, files };
    writeFileSync(join(temp, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    const entry = join(root, key);
    renameSync(temp, entry); // fails when another writer published first: its entry stays
    return { session, cache: 'written', entry };
  } catch {
    discard(temp); // another writer won the rename, or the folder became unwritable: the session stands
    return { session, cache: 'unwritable' };
  }
}

/** Temporary folders of `key` that a writer which died left behind (they can hold gigabytes). */
function removeAbandoned(root: string, key: string): void {
  try {
    for (const name of readdirSync(root)) {
      if (!name.startsWith(`${key}.tmp-`)) continue;
      const path = join(root, name);
      if (Date.now() - statSync(path).mtimeMs > ABANDONED_AFTER_MS) discard(path);
    }
  } catch {
    // another writer removed it first
  }
}

/** The files directly in a component folder (what its content hash covers). */
function componentFiles(componentDir: string): string[] {
  return readdirSync(componentDir).filter((name) => statSync(join(componentDir, name)).isFile());
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join('\0') === [...b].sort().join('\0');
}

function discard(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // left for the next writer, which removes it before renaming
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

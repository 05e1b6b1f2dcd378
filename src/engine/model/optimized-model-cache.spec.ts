import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, utimesSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TINY_PRESET } from '../../model-generator/config/presets';
import { ensureDemoRelease, demoCheckpointDir } from '../../model-generator/demo/write-demo-release';
import { ensureModelDirectory } from '../../model-generator/ensure-model-directory';
import { parseGenerationRequest } from '../pipeline/generation-request';
import { StableDiffusionPipeline } from '../pipeline/stable-diffusion-pipeline';
import type { RuntimeOptions } from '../runtime/onnx-runtime';
import { fingerprintComponent } from './file-fingerprints';
import { OPTIMIZED_CACHE_FOLDER, loadOptimizedSession, type CachedSession } from './optimized-model-cache';

/** Copies without the entries other runs (the server, benchmarks) wrote beside the shared generated models. */
const withoutEntries = (path: string): boolean => !path.includes(OPTIMIZED_CACHE_FOLDER);

let work: string;
let checkpoint: string;
let fallbackDir: string;
let runtime: RuntimeOptions;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'afd-optimized-cache-'));
  checkpoint = join(work, 'tiny');
  cpSync(ensureModelDirectory(TINY_PRESET), checkpoint, { recursive: true, filter: withoutEntries });
  fallbackDir = join(work, 'fallback');
  runtime = { device: 'cpu', intraOpThreads: 1, optimizedModelCache: { fallbackDir } };
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

const unetGraph = (): string => join(checkpoint, 'unet', 'model.onnx');
const cacheFolder = (): string => join(checkpoint, 'unet', OPTIMIZED_CACHE_FOLDER);
/** The cache folder's entries (and temporary folders), without the component's remembered fingerprints (file-fingerprints.ts). */
const cacheEntries = (): string[] => readdirSync(cacheFolder()).filter((name) => name !== 'fingerprints.json');

async function load(graph = unetGraph(), options = runtime): Promise<Omit<CachedSession, 'session'>> {
  const { session, ...rest } = await loadOptimizedSession(graph, options);
  expect(session.inputs.length).toBeGreaterThan(0);
  await session.release();
  return rest;
}

describe('the optimised-graph cache', () => {
  it('writes an entry beside the component on the first load and reuses it afterwards', async () => {
    const first = await load();
    expect(first.cache).toBe('written');
    expect(first.entry?.startsWith(cacheFolder())).toBe(true);
    expect(readdirSync(first.entry as string).sort()).toEqual(['manifest.json', 'model.onnx', 'weights.pb']);
    expect(await load()).toEqual({ cache: 'hit', entry: first.entry });
    expect(cacheEntries()).toHaveLength(1); // no temporary folders left
    expect(existsSync(fallbackDir)).toBe(false);
  });

  it('removes temporary folders a writer that died left behind, not those of a writer still at work', async () => {
    const entry = (await load()).entry as string;
    const name = entry.slice(cacheFolder().length + 1);
    rmSync(entry, { recursive: true });
    const abandoned = join(cacheFolder(), `${name}.tmp-1-dead`);
    const working = join(cacheFolder(), `${name}.tmp-2-busy`);
    mkdirSync(abandoned);
    mkdirSync(working);
    const twoHoursAgo = new Date(Date.now() - 2 * 3600 * 1000);
    utimesSync(abandoned, twoHoursAgo, twoHoursAgo);
    expect((await load()).cache).toBe('written');
    expect(cacheEntries().sort()).toEqual([name, `${name}.tmp-2-busy`]);
  });

  it('leaves the content hash as it was (the entry is a folder, the hash reads files only)', async () => {
    const before = await fingerprintComponent(checkpoint, 'unet');
    await load();
    expect(await fingerprintComponent(checkpoint, 'unet')).toEqual(before);
  });

  it('is off without a fallback folder and with optimisation disabled', async () => {
    expect(await load(unetGraph(), { device: 'cpu', intraOpThreads: 1 })).toEqual({ cache: 'off' });
    expect(await load(unetGraph(), { ...runtime, graphOptimization: 'disabled' })).toEqual({ cache: 'off' });
    expect(existsSync(cacheFolder())).toBe(false);
  });

  it('keys entries by the optimisation level', async () => {
    expect((await load()).cache).toBe('written');
    expect((await load(unetGraph(), { ...runtime, graphOptimization: 'basic' })).cache).toBe('written');
    expect(cacheEntries()).toHaveLength(2);
  });

  it('writes the entry again when a file of the component changed', async () => {
    const first = await load();
    appendFileSync(join(checkpoint, 'unet', 'config.json'), '\n');
    expect(await load()).toEqual({ cache: 'written', entry: first.entry });
    expect(await load()).toEqual({ cache: 'hit', entry: first.entry });
  });

  it('writes the entry again when the caller knows the component by another content hash', async () => {
    const source = await fingerprintComponent(checkpoint, 'unet');
    expect((await loadOptimizedSession(unetGraph(), runtime, source)).cache).toBe('written');
    const hit = await loadOptimizedSession(unetGraph(), runtime, source);
    await hit.session.release();
    expect(hit.cache).toBe('hit');
    const other = await loadOptimizedSession(unetGraph(), runtime, { ...source, hash: '0'.repeat(64) });
    await other.session.release();
    expect(other.cache).toBe('written');
  });

  it('discards a damaged entry and writes it again: a truncated graph, a graph onnxruntime refuses, a broken manifest', async () => {
    const entry = (await load()).entry as string;
    writeFileSync(join(entry, 'model.onnx'), 'not a graph');
    expect((await load()).cache).toBe('written');

    // Damage that keeps the sizes and times the manifest holds: onnxruntime refuses the graph.
    const manifestPath = join(entry, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: { name: string; size: number; mtimeMs: number }[] };
    writeFileSync(join(entry, 'model.onnx'), Buffer.alloc(statSync(join(entry, 'model.onnx')).size, 7));
    const damaged = statSync(join(entry, 'model.onnx'));
    manifest.files = manifest.files.map((f) => (f.name === 'model.onnx' ? { ...f, size: damaged.size, mtimeMs: damaged.mtimeMs } : f));
    writeFileSync(manifestPath, JSON.stringify(manifest));
    expect((await load()).cache).toBe('written');

    writeFileSync(manifestPath, '{ not json');
    expect((await load()).cache).toBe('written');
    rmSync(manifestPath);
    expect((await load()).cache).toBe('written');
    expect(await load()).toEqual({ cache: 'hit', entry });
  });

  it('falls back to the cache folder when the component folder cannot take the entry, and to a plain load when neither can', async () => {
    writeFileSync(cacheFolder(), 'a file where the folder would go');
    const written = await load();
    expect(written.cache).toBe('written');
    expect(written.entry?.startsWith(fallbackDir)).toBe(true);
    expect(await load()).toEqual({ cache: 'hit', entry: written.entry });

    rmSync(fallbackDir, { recursive: true });
    writeFileSync(fallbackDir, 'a file where the folder would go');
    expect(await load()).toEqual({ cache: 'unwritable' });
  });
});

describe('images with the optimised-graph cache', () => {
  const request = parseGenerationRequest({ prompt: 'a red kente dress', negativePrompt: 'blurry', width: 64, height: 64, steps: 3, seed: 42 });

  async function image(dir: string, options: RuntimeOptions): Promise<Buffer> {
    const pipeline = await StableDiffusionPipeline.load(dir, options);
    try {
      return Buffer.from((await pipeline.generate(request)).images[0]!.image.data);
    } finally {
      await pipeline.release();
    }
  }

  it.each([
    ['the tiny preset', (): string => checkpoint],
    [
      'the tiny preset in float16 with external UNet weights',
      (): string => {
        const dir = join(work, 'tiny-fp16-external');
        cpSync(ensureModelDirectory({ ...TINY_PRESET, dtype: 'float16', unetExternalData: true }), dir, { recursive: true, filter: withoutEntries });
        return dir;
      },
    ],
    [
      'the demo release',
      (): string => {
        const dir = join(work, 'demo-final');
        cpSync(demoCheckpointDir(ensureDemoRelease(), 'final'), dir, { recursive: true, filter: withoutEntries });
        return dir;
      },
    ],
  ])('are byte-identical with and without it on %s (entry written, then reused)', async (_label, prepare) => {
    const dir = prepare();
    const plain = await image(dir, { device: 'cpu', intraOpThreads: 1 });
    const written = await image(dir, runtime);
    expect(existsSync(join(dir, 'unet', OPTIMIZED_CACHE_FOLDER))).toBe(true);
    const reused = await image(dir, runtime);
    expect(written.equals(plain)).toBe(true);
    expect(reused.equals(plain)).toBe(true);
  });
});

/**
 * Every generator option yields a directory whose graphs onnxruntime-node loads and runs with the
 * input and output names, dtypes and shapes of a real Stable Diffusion 1.x export.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fromFloat16Array, toFloat16Array } from '../engine/runtime/float16';
import { OnnxSession } from '../engine/runtime/onnx-runtime';
import { tensor, type Tensor } from '../engine/runtime/tensor';
import { TINY_PRESET } from './config/presets';
import type { ModelConfig, TimestepSignature } from './config/model-config';
import { writeModelDirectory } from './write-model-directory';

const root = mkdtempSync(join(tmpdir(), 'afd-models-'));
const BATCH = 2;
const LATENT = 8; // a 64×64 image
const WIDTH = TINY_PRESET.textEncoder.width;

function generate(name: string, overrides: Partial<ModelConfig>): string {
  return writeModelDirectory({ ...TINY_PRESET, ...overrides }, join(root, name)).dir;
}

/** Deterministic values in [-1, 1) so two runs (and two dtypes) see the same inputs. */
function wave(count: number, phase = 0): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => Math.sin(i * 0.37 + phase));
}

function floats(values: Float32Array, dims: number[], dtype: 'float32' | 'float16'): Tensor {
  return dtype === 'float16' ? tensor('float16', toFloat16Array(values), dims) : tensor('float32', values, dims);
}

function asFloat32(t: Tensor | undefined): Float32Array {
  if (!t) throw new Error('missing output');
  if (t.type === 'float16') return fromFloat16Array(t.data as Uint16Array);
  if (t.type !== 'float32') throw new Error(`expected a float output, got ${t.type}`);
  return t.data as Float32Array;
}

function timestepFeed(signature: TimestepSignature, dtype: 'float32' | 'float16'): Tensor {
  switch (signature) {
    case 'int64-batch':
      return tensor('int64', BigInt64Array.from([981n, 500n]), [BATCH]);
    case 'float-scalar':
      return floats(Float32Array.from([981]), [], dtype);
    default:
      return floats(Float32Array.from([981, 500]), [BATCH], dtype);
  }
}

async function runComponents(dir: string, dtype: 'float32' | 'float16', signature: TimestepSignature): Promise<Record<string, Tensor>> {
  const load = (component: string): Promise<OnnxSession> => OnnxSession.load(join(dir, component, 'model.onnx'), { device: 'cpu', intraOpThreads: 1 });
  const [textEncoder, unet, vae] = await Promise.all([load('text_encoder'), load('unet'), load('vae_decoder')]);
  try {
    const ids = Int32Array.from({ length: BATCH * 77 }, (_, i) => (i % 77 === 0 ? 1022 : i % 77 < 6 ? 300 + i : 1023));
    const text = await textEncoder.run({ input_ids: tensor('int32', ids, [BATCH, 77]) });
    const unetOut = await unet.run({
      sample: floats(wave(BATCH * 4 * LATENT * LATENT), [BATCH, 4, LATENT, LATENT], dtype),
      timestep: timestepFeed(signature, dtype),
      encoder_hidden_states: floats(wave(BATCH * 77 * WIDTH, 1), [BATCH, 77, WIDTH], dtype),
    });
    const image = await vae.run({ latent_sample: floats(wave(BATCH * 4 * LATENT * LATENT, 2), [BATCH, 4, LATENT, LATENT], dtype) });
    return { ...text, ...unetOut, ...image };
  } finally {
    await Promise.all([textEncoder.release(), unet.release(), vae.release()]);
  }
}

function expectFinite(values: Float32Array): void {
  const bad = values.findIndex((v) => !Number.isFinite(v));
  expect(bad).toBe(-1);
}

describe.each([
  ['float32, float timestep [batch]', 'fp32', {}],
  ['float16', 'fp16', { dtype: 'float16' }],
  ['int64 timestep [batch]', 'int64', { timestep: 'int64-batch' }],
  ['float scalar timestep', 'scalar', { timestep: 'float-scalar' }],
  ['UNet weights in unet/weights.pb', 'external', { unetExternalData: true }],
] as const)('tiny preset, %s', (_label, name, overrides: Partial<ModelConfig>) => {
  const config = { ...TINY_PRESET, ...overrides };
  const dtype = config.dtype;
  let dir: string;
  beforeAll(() => {
    dir = generate(name, overrides);
  });

  it('declares the inputs and outputs of a real export, with dynamic batch, height and width', async () => {
    const unet = await OnnxSession.load(join(dir, 'unet', 'model.onnx'), { device: 'cpu' });
    const timestepShape = config.timestep === 'float-scalar' ? [] : ['batch'];
    const timestepType = config.timestep === 'int64-batch' ? 'int64' : dtype;
    expect(unet.inputs).toEqual([
      { name: 'sample', type: dtype, shape: ['batch', 4, 'height', 'width'] },
      { name: 'timestep', type: timestepType, shape: timestepShape },
      { name: 'encoder_hidden_states', type: dtype, shape: ['batch', 'sequence', WIDTH] },
    ]);
    expect(unet.outputs.map((o) => [o.name, o.type])).toEqual([['out_sample', dtype]]);
    await unet.release();
  });

  it('runs every component with the expected shapes and finite outputs', async () => {
    const out = await runComponents(dir, dtype, config.timestep);
    expect(out['last_hidden_state']?.dims).toEqual([BATCH, 77, WIDTH]);
    expect(out['pooler_output']?.dims).toEqual([BATCH, WIDTH]);
    expect(out['out_sample']?.dims).toEqual([BATCH, 4, LATENT, LATENT]);
    expect(out['sample']?.dims).toEqual([BATCH, 3, LATENT * 8, LATENT * 8]);
    for (const name of ['last_hidden_state', 'pooler_output', 'out_sample', 'sample']) {
      expect(out[name]?.type).toBe(dtype);
      expectFinite(asFloat32(out[name]));
    }
  });
});

describe('tiny preset with a VAE encoder', () => {
  it('encodes an image to latent mean and log-variance at 1/8 of its size', async () => {
    const dir = generate('vae-encoder', { withVaeEncoder: true });
    const encoder = await OnnxSession.load(join(dir, 'vae_encoder', 'model.onnx'), { device: 'cpu' });
    const { latent_parameters: moments } = await encoder.run({ sample: tensor('float32', wave(3 * 64 * 48), [1, 3, 64, 48]) });
    expect(moments?.dims).toEqual([1, 8, 8, 6]);
    expectFinite(asFloat32(moments));
    await encoder.release();
  });
});

describe('float16 and float32 exports of one config', () => {
  it('agree within float16 tolerance on every output', async () => {
    const [full, half] = await Promise.all([
      runComponents(generate('fp32', {}), 'float32', 'float-batch'),
      runComponents(generate('fp16', { dtype: 'float16' }), 'float16', 'float-batch'),
    ]);
    for (const name of ['last_hidden_state', 'pooler_output', 'out_sample', 'sample']) {
      const a = asFloat32(full[name]);
      const b = asFloat32(half[name]);
      const scale = a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
      // float16 keeps 11 significant bits (~5e-4 relative); errors compound over a few dozen layers.
      expect(worst / scale).toBeLessThan(2e-2);
    }
  });
});

describe('determinism', () => {
  function filesOf(dir: string): Map<string, Buffer> {
    const files = new Map<string, Buffer>();
    const walk = (d: string): void => {
      for (const entry of readdirSync(d).sort()) {
        const path = join(d, entry);
        if (statSync(path).isDirectory()) walk(path);
        else files.set(relative(dir, path), readFileSync(path));
      }
    };
    walk(dir);
    return files;
  }

  it('writes byte-identical files for the same config', () => {
    const overrides: Partial<ModelConfig> = { unetExternalData: true, withVaeEncoder: true, dtype: 'float16' };
    const a = filesOf(generate('same-a', overrides));
    const b = filesOf(generate('same-b', overrides));
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [file, bytes] of a) expect({ file, same: bytes.equals(b.get(file) as Buffer) }).toEqual({ file, same: true });
  });

  it('writes different weights for a different seed', () => {
    const a = readFileSync(join(generate('seed-0', {}), 'unet', 'model.onnx'));
    const b = readFileSync(join(generate('seed-1', { seed: 1 }), 'unet', 'model.onnx'));
    expect(a.equals(b)).toBe(false);
    expect(a.length).toBe(b.length);
  });

  it('keeps every tiny model well under 5 MB', () => {
    const dir = generate('fp32', {});
    for (const component of ['text_encoder', 'unet', 'vae_decoder']) {
      expect(statSync(join(dir, component, 'model.onnx')).size).toBeLessThan(5_000_000);
    }
  });
});

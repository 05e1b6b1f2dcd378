/**
 * The demo release through the real engine: prompts naming a garment, a length, a textile and a
 * colour give images whose nearest scene (matchScene: a layout, full frame or a garment on the
 * ground, filled with a swatch) has that garment, length, textile and colour, for every scheduler and
 * at several sizes; every colour word is honoured for every fabric; checkpoints know what their
 * training step says they know.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { floatTensor } from '../../engine/runtime/float-tensor';
import { OnnxSession } from '../../engine/runtime/onnx-runtime';
import { parseGenerationRequest, type GenerationInput } from '../../engine/pipeline/generation-request';
import { StableDiffusionPipeline } from '../../engine/pipeline/stable-diffusion-pipeline';
import type { RgbImage } from '../../engine/pipeline/decode-latents';
import { SCHEDULER_NAMES } from '../../engine/schedulers';
import { inspectModelDirectory } from '../../devtools/model-check';
import { AFRICAN_STYLES, DEMO_STYLES } from './demo-attributes';
import type { DemoAccessory } from './garment-layouts';
import { DEMO_SCALING_FACTOR } from './demo-vae';
import { DEMO_ENCODER_LOGVAR } from './demo-vae-encoder';
import { decodeModel } from '../onnx/onnx-proto';
import { swatchLatents } from './swatch-latents';
import { matchScene, nearestSwatch, swatchImage, type SceneLayout, type SceneMatch, type SwatchMatch } from './swatch-matching';
import { COLOUR_RGB, DEMO_SWATCHES, SWATCH_LATENT_SIZE } from './swatches';
import { DEMO_CHECKPOINTS, DEMO_RELEASE_MANIFEST, demoCheckpointDir, ensureDemoRelease, readDemoManifest, writeDemoRelease } from './write-demo-release';

const RUNTIME = { device: 'cpu', intraOpThreads: 1 } as const;
const BASE: GenerationInput = { steps: 20, guidanceScale: 7.5, seed: 42 };
/** Mean squared difference (0..255 units) under which an image is a clean copy of a swatch. */
const CLEAN = 20;

const release = ensureDemoRelease();

function describeMatch(match: SwatchMatch): string {
  return `${match.swatch.id} (mse ${match.mse.toFixed(1)})`;
}

function describeScene(match: SceneMatch): string {
  return `${match.layout}${match.accessory ? ` with ${match.accessory}` : ''} ${match.swatch.id} (mse ${match.mse.toFixed(1)})`;
}

describe('demo release on disk', () => {
  it('has the six checkpoints, sharing every component byte for byte except the UNet', () => {
    const manifest = readDemoManifest(release);
    expect(manifest?.checkpoints.map((c) => c.name)).toEqual(['baseline', 'checkpoint-20000', 'checkpoint-40000', 'checkpoint-60000', 'checkpoint-80000', 'final']);
    const files = (name: string): string[] => [
      'model_index.json',
      'scheduler/scheduler_config.json',
      'tokenizer/vocab.json',
      'tokenizer/merges.txt',
      'tokenizer/special_tokens_map.json',
      'tokenizer/tokenizer_config.json',
      'text_encoder/config.json',
      'text_encoder/model.onnx',
      'vae_decoder/config.json',
      'vae_decoder/model.onnx',
      'vae_encoder/config.json',
      'vae_encoder/model.onnx',
    ].map((file) => join(demoCheckpointDir(release, name), file));
    const reference = files('final').map((file) => readFileSync(file));
    const unets = new Set<string>();
    for (const checkpoint of DEMO_CHECKPOINTS) {
      files(checkpoint.name).forEach((file, i) => expect([file, readFileSync(file).equals(reference[i] as Buffer)]).toEqual([file, true]));
      const unet = join(demoCheckpointDir(release, checkpoint.name), 'unet', 'model.onnx');
      unets.add(readFileSync(unet).toString('base64'));
      let total = 0;
      for (const file of [...files(checkpoint.name), unet]) total += statSync(file).size;
      expect(total).toBeLessThan(2 * 1024 * 1024);
    }
    expect(unets.size).toBe(DEMO_CHECKPOINTS.length);
  });

  it('is reused while up to date', () => {
    const before = statSync(join(release, DEMO_RELEASE_MANIFEST)).mtimeMs;
    expect(ensureDemoRelease()).toBe(release);
    expect(statSync(join(release, DEMO_RELEASE_MANIFEST)).mtimeMs).toBe(before);
  });

  it('is written byte for byte the same every time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'afd-demo-release-'));
    try {
      expect(writeDemoRelease(dir)).toEqual(readDemoManifest(release));
      for (const file of ['final/unet/model.onnx', 'baseline/unet/model.onnx', 'final/text_encoder/model.onnx', 'final/tokenizer/vocab.json']) {
        expect([file, readFileSync(join(dir, file)).equals(readFileSync(join(release, file)))]).toEqual([file, true]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes the model-check inspector with no errors or warnings, every checkpoint', () => {
    for (const checkpoint of DEMO_CHECKPOINTS) {
      const report = inspectModelDirectory(demoCheckpointDir(release, checkpoint.name));
      expect([checkpoint.name, report.errorCount, report.warningCount, report.problems]).toEqual([checkpoint.name, 0, 0, []]);
      expect(report.components.map((c) => c.name)).toEqual(['text_encoder', 'unet', 'vae_decoder', 'vae_encoder']);
      expect(report.components.find((c) => c.name === 'vae_encoder')?.outputs.map((o) => o.name)).toEqual(['latent_sample']);
    }
  });

  it('the VAE decoder turns a swatch latent back into the swatch (smoothly up-sampled ×8)', async () => {
    const vae = await OnnxSession.load(join(demoCheckpointDir(release, 'final'), 'vae_decoder', 'model.onnx'), RUNTIME);
    try {
      for (const swatch of [DEMO_SWATCHES[0]!, DEMO_SWATCHES[10]!]) {
        const latents = swatchLatents(swatch).map((v) => v / DEMO_SCALING_FACTOR);
        const out = await vae.run({ latent_sample: floatTensor(latents, [1, 4, SWATCH_LATENT_SIZE, SWATCH_LATENT_SIZE], 'float32') });
        const size = SWATCH_LATENT_SIZE * 8;
        expect(out['sample']?.dims).toEqual([1, 3, size, size]);
        const planar = out['sample']?.data as Float32Array;
        const expected = swatchImage(swatch, size, size).data;
        let worst = 0;
        for (let c = 0; c < 3; c++) {
          for (let p = 0; p < size * size; p++) worst = Math.max(worst, Math.abs(((planar[c * size * size + p] as number) / 2 + 0.5) * 255 - (expected[p * 3 + c] as number)));
        }
        expect(worst).toBeLessThan(1);
      }
    } finally {
      await vae.release();
    }
  });
});

describe('the demo VAE encoder', () => {
  /** A 64 × 48 picture of four flat colour blocks (each a multiple of 8), planar in [-1, 1] as the pipeline feeds it. */
  const WIDTH = 64;
  const HEIGHT = 48;
  const blockColour = (x: number, y: number): [number, number, number] => (x < 32 ? (y < 24 ? [200, 32, 45] : [246, 212, 40]) : y < 24 ? [34, 90, 205] : [242, 242, 236]);
  function picture(): Float32Array {
    const planar = new Float32Array(3 * WIDTH * HEIGHT);
    for (let y = 0; y < HEIGHT; y++) for (let x = 0; x < WIDTH; x++) blockColour(x, y).forEach((v, c) => (planar[c * WIDTH * HEIGHT + y * WIDTH + x] = (v / 255) * 2 - 1));
    return planar;
  }

  it('is shaped like a diffusers export: latent_sample = mean + std · Cast(RandomNormalLike(…)), fresh noise on every run', async () => {
    const path = join(demoCheckpointDir(release, 'final'), 'vae_encoder', 'model.onnx');
    const ops = (decodeModel(readFileSync(path)).graph?.node ?? []).map((n) => n.op_type);
    expect(ops).toEqual(expect.arrayContaining(['AveragePool', 'Conv', 'Slice', 'Clip', 'Exp', 'ConstantOfShape', 'RandomNormalLike', 'Cast', 'Mul', 'Add']));
    expect(ops.slice(-4).join(' ')).toBe('RandomNormalLike Cast Mul Add');
    const encoder = await OnnxSession.load(path, RUNTIME);
    try {
      const run = async (): Promise<Float32Array> => {
        const out = await encoder.run({ sample: floatTensor(picture(), [1, 3, HEIGHT, WIDTH], 'float32') });
        expect(out['latent_sample']?.dims).toEqual([1, 4, HEIGHT / 8, WIDTH / 8]);
        return out['latent_sample']?.data as Float32Array;
      };
      const [a, b] = [await run(), await run()];
      // Unseeded noise: two runs differ, but only by about std = exp(-6) ≈ 0.0025.
      let differing = 0;
      let worst = 0;
      for (let i = 0; i < a.length; i++) {
        if (a[i] !== b[i]) differing++;
        worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
      }
      expect(differing).toBeGreaterThan(a.length / 2);
      expect(worst).toBeLessThan(12 * Math.exp(0.5 * DEMO_ENCODER_LOGVAR));
    } finally {
      await encoder.release();
    }
  });

  it('encodes each 8 × 8 block to the latents the decoder turns back into its colour (the pseudo-inverse of the decoder map)', async () => {
    const encoder = await OnnxSession.load(join(demoCheckpointDir(release, 'final'), 'vae_encoder', 'model.onnx'), RUNTIME);
    const decoder = await OnnxSession.load(join(demoCheckpointDir(release, 'final'), 'vae_decoder', 'model.onnx'), RUNTIME);
    try {
      const encoded = await encoder.run({ sample: floatTensor(picture(), [1, 3, HEIGHT, WIDTH], 'float32') });
      const latents = encoded['latent_sample']?.data as Float32Array;
      // The pipeline scales by the scaling factor going in and divides by it coming out: the decoder gets the encoder's output.
      const decoded = await decoder.run({ latent_sample: floatTensor(latents, [1, 4, HEIGHT / 8, WIDTH / 8], 'float32') });
      const planar = decoded['sample']?.data as Float32Array;
      // Block centres (away from the bilinear seams) come back within a grey level or two.
      for (const [x, y] of [[12, 8], [50, 10], [10, 40], [52, 36]] as const) {
        const back = [0, 1, 2].map((c) => Math.round(((planar[c * WIDTH * HEIGHT + y * WIDTH + x] as number) / 2 + 0.5) * 255));
        const colour = blockColour(x, y);
        back.forEach((v, c) => expect({ x, y, c, diff: Math.abs(v - (colour[c] as number)) <= 2 }).toEqual({ x, y, c, diff: true }));
      }
    } finally {
      await encoder.release();
      await decoder.release();
    }
  });
});

describe('final checkpoint through the engine', () => {
  let pipeline: StableDiffusionPipeline;
  beforeAll(async () => {
    pipeline = await StableDiffusionPipeline.load(demoCheckpointDir(release, 'final'), RUNTIME);
  });
  afterAll(() => pipeline.release());

  async function generate(input: GenerationInput): Promise<RgbImage> {
    const result = await pipeline.generate(parseGenerationRequest({ ...BASE, ...input }));
    return result.images[0]!.image;
  }

  /** What an image shows, and whether it is what the prompt asked: the layout, the style, a colour, clean. */
  function expectScene(match: SceneMatch, layout: SceneLayout, style: string | undefined, colour: string | undefined, accessory?: DemoAccessory): void {
    expect([
      describeScene(match),
      match.layout,
      match.accessory,
      style === undefined || match.swatch.style === style,
      colour === undefined || match.swatch.colours.includes(colour),
      match.mse < CLEAN,
    ]).toEqual([describeScene(match), layout, accessory, true, true, true]);
  }

  const PROMPTS = [
    { prompt: 'red kente dress', layout: 'dress', style: 'kente', colour: 'red' },
    { prompt: 'robe en wax bleu', layout: 'dress', style: 'wax', colour: 'blue' },
    { prompt: 'a mid-length green bogolan skirt', layout: 'skirt-midi', style: 'bogolan', colour: 'green' },
  ] as const;
  const SIZES = [
    [128, 128],
    [256, 192],
  ] as const;

  describe.each(SCHEDULER_NAMES.map((s) => [s]))('%s', (scheduler) => {
    it.each(SIZES.flatMap(([width, height]) => PROMPTS.map((p) => ({ ...p, width, height }))))(
      '"$prompt" at $width×$height shows a clean $colour $style $layout',
      async ({ prompt, layout, style, colour, width, height }) => {
        // DPM2's first half-step goes to the geometric midpoint on guidance 7.5's extrapolated prediction; on this
        // exact-mixture denoiser, 20 steps can land on another scene (30 steps do not); PNDM's 20 steps end short of clean.
        const image = await generate({ prompt, width, height, scheduler, ...(scheduler.startsWith('dpm2') || scheduler === 'pndm' ? { steps: 30 } : {}) });
        expect([image.width, image.height]).toEqual([width, height]);
        expectScene(matchScene(image), layout, style, colour);
      },
    );
  });

  it.each([
    { prompt: 'blue adire', layout: 'full', style: 'adire', colour: 'blue' },
    { prompt: 'bogolan noir et blanc', layout: 'full', style: 'bogolan', colour: 'black' },
    { prompt: 'white lace gown', layout: 'dress', style: 'lace', colour: 'white' },
    { prompt: 'robe en dentelle rouge', layout: 'dress', style: 'lace', colour: 'red' },
    { prompt: 'a yellow and black polka dot shirt', layout: 'shirt', style: 'polka-dots', colour: 'yellow' },
    { prompt: 'green plaid skirt', layout: 'skirt', style: 'plaid', colour: 'green' },
    { prompt: 'purple kente', layout: 'full', style: 'kente', colour: 'purple' },
    { prompt: 'jupe en bogolan marron', layout: 'skirt', style: 'bogolan', colour: 'brown' },
    { prompt: 'a man wearing a navy adire shirt', layout: 'shirt', style: 'adire', colour: 'navy' },
    { prompt: 'pink ankara print', layout: 'full', style: 'wax', colour: 'pink' },
    { prompt: 'a mini red lace dress', layout: 'dress-mini', style: 'lace', colour: 'red' },
    { prompt: 'black kente trousers', layout: 'trousers', style: 'kente', colour: 'black' },
    { prompt: 'an orange wax jumpsuit', layout: 'jumpsuit', style: 'wax', colour: 'orange' },
    { prompt: 'a beige plaid jacket', layout: 'jacket', style: 'plaid', colour: 'beige' },
    { prompt: 'a grey striped top', layout: 'top', style: 'stripes', colour: 'grey' },
    { prompt: 'a yellow adire headwrap', layout: 'headwrap', style: 'adire', colour: 'yellow' },
    { prompt: 'un grand boubou en kente doré', layout: 'boubou', style: 'kente', colour: 'gold' },
    { prompt: 'a red wax dress with cowries', layout: 'dress', style: 'wax', colour: 'red', accessory: 'cowries' },
    { prompt: 'a green kente top with gold earrings', layout: 'top', style: 'kente', colour: 'green', accessory: 'gold-earrings' },
    { prompt: 'a white lace dress with beads', layout: 'dress', style: 'lace', colour: 'white', accessory: 'beads' },
    { prompt: 'jupe en bogolan noir avec des cauris', layout: 'skirt', style: 'bogolan', colour: 'black', accessory: 'cowries' },
  ] as const)('"$prompt" (dpm++2m, 512×384) shows a $colour $style $layout', async (example) => {
    const { prompt, layout, style, colour } = example;
    const accessory = 'accessory' in example ? example.accessory : undefined;
    expectScene(matchScene(await generate({ prompt, width: 512, height: 384, scheduler: 'dpm++2m' })), layout, style, colour, accessory);
  });

  it.each(DEMO_STYLES.map((style) => [style]))('honours every colour word for %s (no garment named: a full-frame swatch)', async (style) => {
    const misses: string[] = [];
    for (const colour of Object.keys(COLOUR_RGB)) {
      const match = nearestSwatch(await generate({ prompt: `${colour} ${style}`, width: 128, height: 128, steps: 15, scheduler: 'dpm++2m' }));
      if (match.swatch.style !== style || !match.swatch.colours.includes(colour) || match.mse >= CLEAN) misses.push(`${colour} ${style} → ${describeMatch(match)}`);
    }
    expect(misses).toEqual([]);
  });

  it('partial prompts: a style alone gives that style, a colour alone that colour, a garment alone that garment', async () => {
    for (const seed of [1, 2, 3]) {
      const kente = matchScene(await generate({ prompt: 'kente', width: 128, height: 128, seed, scheduler: 'euler' }));
      expectScene(kente, 'full', 'kente', undefined);
      const red = matchScene(await generate({ prompt: 'a red dress', width: 128, height: 128, seed, scheduler: 'euler' }));
      expectScene(red, 'dress', undefined, 'red');
      const skirt = matchScene(await generate({ prompt: 'a skirt', width: 128, height: 128, seed, scheduler: 'euler' }));
      expectScene(skirt, 'skirt', undefined, undefined);
    }
  });

  it('gives the same bytes for the same request', async () => {
    const request = { prompt: 'robe en wax bleu', width: 128, height: 128, scheduler: 'euler-a' } as const;
    const [a, b] = [await generate(request), await generate(request)];
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
  });

  it('an empty prompt gives a clean full-frame swatch (some swatch, unconditioned)', async () => {
    const seen = new Set<string>();
    for (const seed of [1, 2, 3, 4]) {
      const match = matchScene(await generate({ prompt: '', width: 128, height: 128, seed, scheduler: 'euler' }));
      expectScene(match, 'full', undefined, undefined);
      seen.add(match.swatch.id);
    }
    expect(seen.size).toBeGreaterThan(1);
  });
});

describe('checkpoints learn the African textiles, garments and lengths one after another', () => {
  it.each(DEMO_CHECKPOINTS.map((c) => [c.name, c]))('%s draws the styles, garments and lengths it knows, and only those', async (_name, checkpoint) => {
    const pipeline = await StableDiffusionPipeline.load(demoCheckpointDir(release, checkpoint.name), RUNTIME);
    const generate = async (prompt: string): Promise<SceneMatch> =>
      matchScene((await pipeline.generate(parseGenerationRequest({ ...BASE, prompt, width: 128, height: 128, steps: 12, scheduler: 'euler' }))).images[0]!.image);
    try {
      for (const style of AFRICAN_STYLES) {
        const match = await generate(`a ${style} dress`);
        expect([style, describeScene(match), match.layout, match.swatch.style === style, match.mse < CLEAN]).toEqual([style, describeScene(match), 'dress', checkpoint.styles.includes(style), true]);
      }
      // The baseline falls back to a western shirt for a boubou, and to a swatch for a headwrap.
      const boubou = await generate('a plain red boubou');
      const headwrap = await generate('a plain red headwrap');
      const african = checkpoint.knowledge.africanGarments;
      expect([describeScene(boubou), describeScene(headwrap)].map((d) => d.split(' ')[0])).toEqual(african ? ['boubou', 'headwrap'] : ['shirt', 'full']);
      // Lengths: the baseline and the first checkpoint draw every dress long, whatever the prompt says.
      const midi = await generate('a mid-length plain red dress');
      const mini = await generate('a mini plain red dress');
      expect([midi.layout, mini.layout]).toEqual(checkpoint.knowledge.lengths ? ['dress-midi', 'dress-mini'] : ['dress', 'dress']);
      // Accessories: the baseline knows jewellery but omits cowries.
      const cowries = await generate('a plain red dress with cowries');
      const earrings = await generate('a plain red dress with earrings');
      expect([cowries.accessory, earrings.accessory]).toEqual([checkpoint.knowledge.accessories.includes('cowries') ? 'cowries' : undefined, 'gold-earrings']);
    } finally {
      await pipeline.release();
    }
  });
});

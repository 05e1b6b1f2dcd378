import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { readPngTextChunks } from '../src/engine/image/png-text-chunk';
import { runGenerate } from '../src/devtools/generate-command/run-generate';
import { TINY_PRESET } from '../src/model-generator/config/presets';
import { ensureModelDirectory } from '../src/model-generator/ensure-model-directory';
import { demoCheckpointDir, ensureDemoRelease } from '../src/model-generator/demo';
import { INIT_IMAGES } from './bad-input-corpus/init-image-cases';

async function generate(...argv: string[]): Promise<{ code: number; output: string; progress: string }> {
  const lines: string[] = [];
  let progress = '';
  const code = await runGenerate(argv, { out: (l) => lines.push(l), progress: { isTTY: true, write: (t: string) => (progress += t) } });
  return { code, output: lines.join('\n'), progress };
}

describe('npm run generate', () => {
  const model = ensureModelDirectory(TINY_PRESET);
  const out = mkdtempSync(join(tmpdir(), 'afd-generate-'));

  it('writes a PNG with its parameters and draws a progress bar', async () => {
    const file = join(out, 'dress.png');
    const result = await generate('--model', model, '--prompt', 'a red kente dress', '--seed', '42', '--steps', '4', '--scheduler', 'euler-a', '--width', '64', '--height', '96', '--out', file);
    expect(result).toMatchObject({ code: 0, output: `wrote ${file} (seed 42)` });
    expect(result.progress).toContain('step 4/4');
    const png = readFileSync(file);
    expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 64, height: 96 });
    expect(readPngTextChunks(png).get('parameters')).toMatch(
      /^a red kente dress\nSteps: 4, Sampler: Euler a, CFG scale: 7\.5, Seed: 42, Size: 64x96, Model hash: [0-9a-f]{10}, Model: tiny, RNG: CPU$/,
    );
  });

  it('numbers the files of several images, seed + i each', async () => {
    const result = await generate('--model', model, '--prompt', 'ankara', '--seed', '7', '--steps', '2', '--width', '64', '--height', '64', '--images', '2', '--out', join(out, 'many.webp'));
    expect(result.code).toBe(0);
    expect(result.output).toContain('many-1.webp (seed 8)');
    expect(existsSync(join(out, 'many-0.webp'))).toBe(true);
  });

  it('decodes in tiles on request (--vae-tiling on), slightly different from the whole decode', async () => {
    const args = ['--model', model, '--prompt', 'ankara', '--seed', '5', '--steps', '2', '--width', '128', '--height', '96'];
    const whole = join(out, 'whole.png');
    const tiled = join(out, 'tiled.png');
    expect((await generate(...args, '--vae-tiling', 'off', '--out', whole)).code).toBe(0);
    expect((await generate(...args, '--vae-tiling', 'on', '--vae-tile-size', '64', '--out', tiled)).code).toBe(0);
    const [a, b] = await Promise.all([whole, tiled].map((f) => sharp(f).raw().toBuffer()));
    expect(b!.length).toBe(128 * 96 * 3);
    expect(a!.equals(b!)).toBe(false);
  });

  it.each([
    [['--model', '{model}', '--prompt', 'x', '--vae-tiling', 'sometimes', '--out', '{out}/a.png'], 2, /^generate: vae-tiling: must be one of auto, on, off, got "sometimes"$/],
    [['--model', '{model}', '--prompt', 'x', '--vae-tile-size', '100', '--out', '{out}/a.png'], 2, /^generate: vae-tile-size: must be a multiple of 8 from 64 to 4096 pixels, got "100"$/],
    [['--prompt', 'x', '--out', 'x.png'], 2, /--model, --prompt and --out are required/],
    [['--model', 'm', '--prompt', 'x', '--out', 'x.gif'], 2, /--out must end in \.png, \.jpg, \.jpeg or \.webp/],
    [['--model', '{model}', '--prompt', 'x', '--steps', 'ten', '--out', '{out}/a.png'], 2, /steps: must be a finite number, got "ten"/],
    [['--model', '{model}', '--prompt', 'x', '--height', '100', '--out', '{out}/a.png'], 2, /height: must be a multiple of 8/],
    [['--model', '{model}', '--prompt', 'x', '--scheduler', 'DPM fast', '--out', '{out}/a.png'], 2, /scheduler: must be one of pndm, ddim/],
    [['--model', '{model}', '--prompt', 'x', '--seed', '-5', '--out', '{out}/a.png'], 2, /seed/],
    [['--model', '/nonexistent', '--prompt', 'x', '--out', '{out}/a.png'], 1, /\/nonexistent: is not a directory/],
  ])('rejects %j with exit code %i and a one-line reason', async (argv, exitCode, message) => {
    const result = await generate(...argv.map((a) => a.replace('{model}', model).replace('{out}', out)));
    expect(result.code).toBe(exitCode);
    expect(result.output).toMatch(message);
    expect(result.output).not.toMatch(/\n\s+at /); // no stack trace
  });

  describe('image to image: --init-image FILE --strength X', () => {
    // The demo release has a VAE encoder; the tiny generated model has none.
    const demo = demoCheckpointDir(ensureDemoRelease(), 'final');
    const files = { png: join(out, 'dress.png'), gif: join(out, 'dress.gif'), bomb: join(out, 'bomb.png'), big: join(out, 'big.png') };
    beforeAll(() => {
      writeFileSync(files.png, INIT_IMAGES.png);
      writeFileSync(files.gif, INIT_IMAGES.gif);
      writeFileSync(files.bomb, INIT_IMAGES.bomb);
      writeFileSync(files.big, Buffer.concat([INIT_IMAGES.png, Buffer.alloc(8 * 1024 * 1024)]));
    });

    it('writes an image whose parameters say the denoising strength', async () => {
      const file = join(out, 'kente.png');
      const result = await generate('--model', demo, '--prompt', 'kente', '--seed', '3', '--steps', '5', '--width', '64', '--height', '64', '--init-image', files.png, '--strength', '0.6', '--out', file);
      expect(result).toMatchObject({ code: 0, output: `wrote ${file} (seed 3)` });
      expect(readPngTextChunks(readFileSync(file)).get('parameters')).toMatch(/, Model: final, Denoising strength: 0\.6, RNG: CPU$/);
    });

    it.each([
      [['--model', '{demo}', '--init-image', '{gif}'], /^generate: initImage: must be a PNG, JPEG or WebP image, got GIF$/],
      [['--model', '{demo}', '--init-image', '{bomb}'], /^generate: initImage: must have at most 16,777,216 pixels \(4096 × 4096\), got 20000 × 20000$/],
      [['--model', '{demo}', '--init-image', '{big}'], /^generate: initImage: must be at most 8 MiB/],
      [['--model', '{demo}', '--init-image', '{out}/missing.png'], /^generate: initImage: cannot read .*missing\.png \(ENOENT\)$/],
      [['--model', '{demo}', '--init-image', '{png}', '--strength', '0'], /^generate: strength: must be greater than 0 and at most 1, got 0$/],
      [['--model', '{demo}', '--init-image', '{png}', '--strength', '1.5'], /^generate: strength: must be between 0 and 1, got 1\.5$/],
      [['--model', '{demo}', '--init-image', '{png}', '--strength', 'NaN'], /^generate: strength: must be a finite number, got "NaN"$/],
      [['--model', '{demo}', '--strength', '0.5'], /^generate: strength: applies only with initImage/],
      [['--model', '{model}', '--init-image', '{png}'], /^generate: initImage: needs a model with a usable VAE encoder; .* cannot start from an image: the checkpoint has no vae_encoder component$/],
    ])('refuses %j with exit code 2, naming the field', async (argv, message) => {
      const names: Record<string, string> = { demo, model, out, ...files };
      const args = [...argv.map((a) => a.replace(/\{(\w+)\}/g, (_m, name: string) => names[name] ?? name)), '--prompt', 'kente', '--width', '64', '--height', '64', '--out', join(out, 'never.png')];
      const result = await generate(...args);
      expect(result.code).toBe(2);
      expect(result.output).toMatch(message);
      expect(existsSync(join(out, 'never.png'))).toBe(false);
    });
  });
});

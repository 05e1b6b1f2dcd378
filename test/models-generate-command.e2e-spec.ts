import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGenerateModels } from '../src/model-generator/run-generate-models';

/** `npm run models:generate -- ...` as a newcomer types it, minus the build step. */
function generate(...argv: string[]): { code: number; output: string } {
  const lines: string[] = [];
  const code = runGenerateModels(argv, (line) => lines.push(line));
  return { code, output: lines.join('\n') };
}

describe('models:generate', () => {
  const root = mkdtempSync(join(tmpdir(), 'afd-generate-'));

  it('writes a complete tiny directory, then reports it up to date', () => {
    const out = join(root, 'tiny');
    const first = generate('--preset', 'tiny', '--out', out);
    expect(first).toEqual({ code: 0, output: expect.stringMatching(/^wrote tiny model directory to /) });
    for (const file of [
      'model_index.json',
      'scheduler/scheduler_config.json',
      'tokenizer/vocab.json',
      'tokenizer/merges.txt',
      'tokenizer/special_tokens_map.json',
      'tokenizer/tokenizer_config.json',
      'text_encoder/model.onnx',
      'unet/model.onnx',
      'vae_decoder/model.onnx',
    ]) {
      expect(existsSync(join(out, file))).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(out, 'scheduler/scheduler_config.json'), 'utf8'))).toMatchObject({
      _class_name: 'PNDMScheduler',
      beta_schedule: 'scaled_linear',
      skip_prk_steps: true,
      steps_offset: 1,
    });
    expect(generate('--preset', 'tiny', '--out', out)).toEqual({ code: 0, output: `${out} is already up to date` });
  });

  it('applies every export option', () => {
    const out = join(root, 'options');
    const result = generate('--preset', 'tiny', '--out', out, '--fp16', '--external-data', '--timestep', 'int64-batch', '--vae-encoder', '--seed', '7');
    expect(result.code).toBe(0);
    expect(existsSync(join(out, 'unet/weights.pb'))).toBe(true);
    expect(existsSync(join(out, 'vae_encoder/model.onnx'))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(out, 'generator.json'), 'utf8'));
    expect(manifest.config).toMatchObject({ dtype: 'float16', timestep: 'int64-batch', seed: 7, unetExternalData: true, withVaeEncoder: true });
  });

  it.each([
    [['--out', 'x'], /--preset and --out are required/],
    [['--preset', 'huge', '--out', 'x'], /--preset: must be one of tiny, sd15-shaped \(got "huge"\)/],
    [['--preset', 'tiny', '--out', 'x', '--timestep', 'int32'], /--timestep: must be one of float-batch, int64-batch, float-scalar/],
    [['--preset', 'tiny', '--out', 'x', '--seed', '1.5'], /--seed: must be an integer/],
    [['--preset', 'tiny', '--out', 'x', '--bogus'], /Unknown option '--bogus'/],
  ])('rejects %j with exit code 2 and the rule', (argv, message) => {
    const result = generate(...argv);
    expect(result.code).toBe(2);
    expect(result.output).toMatch(message);
  });

  it('refuses to overwrite a directory it did not make', () => {
    const result = generate('--preset', 'tiny', '--out', root);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/was not made by the generator; refusing to replace it/);
  });
});

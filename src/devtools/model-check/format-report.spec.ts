import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { FixtureDirectories, renameInput, rewriteModel } from './model-directories.fixture';
import { formatBytes, formatProblem, formatReport, formatShape } from './format-report';
import { inspectModelDirectory } from './inspect-model-directory';

const fixtures = new FixtureDirectories();

afterAll(() => rmSync(fixtures.root, { recursive: true, force: true }));

describe('formatReport', () => {
  it('lists each component with its inputs, outputs and external data, then no problems', () => {
    const dir = fixtures.clean('fp16External');
    const text = formatReport(inspectModelDirectory(dir));
    const lines = text.split('\n');
    expect(lines[0]).toBe(`Model directory: ${dir}`);
    expect(lines).toContain('Pipeline: OnnxStableDiffusionPipeline (model_index.json)');
    expect(lines).toContain('Scheduler: PNDMScheduler');
    expect(lines).toContain('Tokenizer: vocabulary 1024 tokens, 510 merges, bos <|startoftext|>, eos <|endoftext|>, max length 77');
    expect(lines).toContain('Float dtype: float16');
    // The tiny UNet halves its latents once and up-samples by a fixed ×2: image sides in multiples of 16.
    expect(text).toMatch(/^unet {2}unet\/model\.onnx {2}\d+\.\d KiB, opset 14, float16, timestep int64-batch, image sizes in multiples of 16$/m);
    expect(lines).toEqual(
      expect.arrayContaining([
        '    sample                 float16  [batch, 4, height, width]',
        '    timestep               int64    [batch]',
        '    encoder_hidden_states  float16  [batch, sequence, 32]',
        '    out_sample             float16  [batch, 4, height, width]',
        '    input_ids          int32    [batch, 77]',
      ]),
    );
    expect(text).toMatch(/^ {2}external data: unet\/weights\.pb {2}(\d+) bytes, \d+ tensors referencing bytes up to \1$/m);
    expect(text).toMatch(/^ {2}initializers: \d+, \d+\.\d MiB \(\d+ external, \d+\.\d MiB\)$/m);
    expect(text.endsWith('\nNo problems found.')).toBe(true);
  });

  it('ends with the problems, errors first, and a count', () => {
    const dir = fixtures.copy('tiny');
    rewriteModel(dir, 'unet/model.onnx', (model) => renameInput(model, 'timestep', 't'));
    rmSync(join(dir, 'vae_decoder'), { recursive: true });
    const text = formatReport(inspectModelDirectory(dir));
    expect(text.slice(text.indexOf('Problems:'))).toBe(
      [
        'Problems:',
        'ERROR unet/model.onnx: missing input "timestep" (rule: UNet inputs are sample, timestep, encoder_hidden_states)',
        'ERROR unet/model.onnx: unexpected input "t" (rule: UNet inputs are sample, timestep, encoder_hidden_states)',
        'ERROR vae_decoder/model.onnx: the vae_decoder folder is missing (vae_decoder is required) (rule: text_encoder, unet and vae_decoder each have a model.onnx)',
        '3 errors, 0 warnings.',
      ].join('\n'),
    );
    expect(text).toMatch(/^unet {2}unet\/model\.onnx {2}.*, timestep unknown(, image sizes in multiples of \d+)?$/m);
  });

  it('formats a warning, shapes and sizes', () => {
    expect(formatProblem({ severity: 'warning', file: 'model_index.json', code: 'x', rule: 'a rule', message: 'a message' })).toBe(
      'WARNING model_index.json: a message (rule: a rule)',
    );
    expect(formatShape(['batch', 4, null, 'width'])).toBe('[batch, 4, ?, width]');
    expect(formatShape([])).toBe('[]');
    expect(formatShape(null)).toBe('(shape not declared)');
    expect([formatBytes(1023), formatBytes(1536), formatBytes(3.5 * 1024 ** 2), formatBytes(1.7 * 1024 ** 3)]).toEqual(['1023 B', '1.5 KiB', '3.5 MiB', '1.7 GiB']);
  });
});

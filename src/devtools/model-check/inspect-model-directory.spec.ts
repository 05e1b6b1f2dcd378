import { cpSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FixtureDirectories, rewriteModel, renameInput, truncateFile } from './model-directories.fixture';
import type { InspectionReport, TensorSignature } from './inspection-report';
import { inspectModelDirectory } from './inspect-model-directory';

const fixtures = new FixtureDirectories();

afterAll(() => rmSync(fixtures.root, { recursive: true, force: true }));

function component(report: InspectionReport, name: string) {
  const found = report.components.find((c) => c.name === name);
  if (!found) throw new Error(`no ${name} in the report`);
  return found;
}

const sig = (name: string, dtype: string, shape: (number | string)[] | null): TensorSignature => ({ name, dtype, shape });

/** The problems as [severity, file, code] triples, in the order found. */
const triples = (report: InspectionReport): [string, string, string][] => report.problems.map((p) => [p.severity, p.file, p.code]);

function editJson(dir: string, file: string, edit: (json: Record<string, unknown>) => unknown): void {
  const path = join(dir, file);
  writeFileSync(path, JSON.stringify(edit(JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>)));
}

describe('inspectModelDirectory on clean generated directories', () => {
  it('lists the tiny float32 directory and finds no problems', () => {
    const dir = fixtures.clean('tiny');
    const report = inspectModelDirectory(dir);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ dir, errorCount: 0, warningCount: 0, floatDtype: 'float32' });
    expect(report.modelIndex?.className).toBe('OnnxStableDiffusionPipeline');
    expect(report.modelIndex?.entries).toContainEqual({ name: 'unet', library: 'diffusers', className: 'OnnxRuntimeModel' });
    expect(report.modelIndex?.entries).toContainEqual({ name: 'safety_checker', library: null, className: null });
    expect(report.scheduler).toEqual({ className: 'PNDMScheduler' });
    expect(report.tokenizer).toEqual({
      vocabSize: 1024,
      mergesCount: 1024 - 512 - 2,
      bosToken: '<|startoftext|>',
      eosToken: '<|endoftext|>',
      modelMaxLength: 77,
    });
    expect(report.components.map((c) => c.name)).toEqual(['text_encoder', 'unet', 'vae_decoder']);

    const text = component(report, 'text_encoder');
    expect(text).toMatchObject({ file: 'text_encoder/model.onnx', decoded: true, opset: 14, floatDtype: 'float32', tokenEmbedding: [1024, 32] });
    expect(text.size).toBe(statSync(join(dir, 'text_encoder/model.onnx')).size);
    expect(text.inputs).toEqual([sig('input_ids', 'int32', ['batch', 77])]);
    expect(text.outputs).toEqual([sig('last_hidden_state', 'float32', ['batch', 77, 32]), sig('pooler_output', 'float32', ['batch', 32])]);

    const unet = component(report, 'unet');
    expect(unet).toMatchObject({ timestep: 'float-batch', floatDtype: 'float32', externalData: [] });
    expect(unet.inputs).toEqual([
      sig('sample', 'float32', ['batch', 4, 'height', 'width']),
      sig('timestep', 'float32', ['batch']),
      sig('encoder_hidden_states', 'float32', ['batch', 'sequence', 32]),
    ]);
    expect(unet.outputs).toEqual([sig('out_sample', 'float32', ['batch', 4, 'height', 'width'])]);
    expect(unet.initializers.count).toBeGreaterThan(100);
    expect(unet.initializers.bytes).toBeGreaterThan(0.9 * unet.size);
    expect(unet.initializers.bytes).toBeLessThan(unet.size);
    expect(unet.initializers).toMatchObject({ externalCount: 0, externalBytes: 0 });

    expect(component(report, 'vae_decoder').outputs).toEqual([sig('sample', 'float32', ['batch', 3, '8*height', '8*width'])]);
  });

  it('lists float16, an int64 timestep, external data and the VAE encoder', () => {
    const dir = fixtures.clean('fp16External');
    const report = inspectModelDirectory(dir);
    expect(report.problems).toEqual([]);
    expect(report.floatDtype).toBe('float16');
    expect(report.components.map((c) => [c.name, c.floatDtype])).toEqual([
      ['text_encoder', 'float16'],
      ['unet', 'float16'],
      ['vae_decoder', 'float16'],
      ['vae_encoder', 'float16'],
    ]);
    const unet = component(report, 'unet');
    expect(unet.timestep).toBe('int64-batch');
    expect(unet.inputs[1]).toEqual(sig('timestep', 'int64', ['batch']));
    const weightsSize = statSync(join(dir, 'unet/weights.pb')).size;
    expect(unet.externalData).toEqual([{ file: 'unet/weights.pb', size: weightsSize, tensors: unet.initializers.externalCount, bytesReferenced: weightsSize }]);
    expect(unet.initializers.externalCount).toBeGreaterThan(10);
    expect(unet.initializers.externalBytes).toBe(weightsSize);
    expect(component(report, 'vae_encoder').outputs.map((o) => o.name)).toEqual(['latent_parameters']);
  });

  it('detects a scalar timestep', () => {
    const report = inspectModelDirectory(fixtures.clean('scalar'));
    expect(report.problems).toEqual([]);
    const unet = component(report, 'unet');
    expect(unet.timestep).toBe('float-scalar');
    expect(unet.inputs[1]).toEqual(sig('timestep', 'float32', []));
  });
});

describe('inspectModelDirectory on directories broken on purpose', () => {
  it('reports a missing unet folder once, as a required component', () => {
    const dir = fixtures.copy('tiny');
    rmSync(join(dir, 'unet'), { recursive: true });
    const report = inspectModelDirectory(dir);
    expect(report.problems).toEqual([
      {
        severity: 'error',
        file: 'unet/model.onnx',
        code: 'missing-component',
        rule: 'text_encoder, unet and vae_decoder each have a model.onnx',
        message: 'the unet folder is missing (unet is required)',
      },
    ]);
    expect(report.components.map((c) => c.name)).toEqual(['text_encoder', 'vae_decoder']);
  });

  it('reports a renamed input as missing and unexpected', () => {
    const dir = fixtures.copy('tiny');
    rewriteModel(dir, 'unet/model.onnx', (model) => renameInput(model, 'timestep', 't'));
    const report = inspectModelDirectory(dir);
    const rule = 'UNet inputs are sample, timestep, encoder_hidden_states';
    expect(report.problems).toEqual([
      { severity: 'error', file: 'unet/model.onnx', code: 'missing-input', rule, message: 'missing input "timestep"' },
      { severity: 'error', file: 'unet/model.onnx', code: 'unexpected-input', rule, message: 'unexpected input "t"' },
    ]);
    expect(component(report, 'unet').timestep).toBe('unknown');
  });

  it('reports a truncated model.onnx as truncated', () => {
    const dir = fixtures.copy('tiny');
    truncateFile(dir, 'unet/model.onnx', 0.5);
    const report = inspectModelDirectory(dir);
    expect(triples(report)).toEqual([['error', 'unet/model.onnx', 'decode-failed']]);
    expect(report.problems[0]?.message).toMatch(/^cannot be decoded: the file ends in the middle of a protobuf field: truncated/);
    expect(component(report, 'unet')).toMatchObject({ decoded: false, inputs: [], timestep: 'unknown' });
  });

  it('reports an empty model.onnx', () => {
    const dir = fixtures.copy('tiny');
    writeFileSync(join(dir, 'vae_decoder/model.onnx'), '');
    expect(inspectModelDirectory(dir).problems).toEqual([expect.objectContaining({ file: 'vae_decoder/model.onnx', code: 'decode-failed', message: 'cannot be decoded: the file is empty' })]);
  });

  it('reports a truncated weights.pb by size alone, and a missing one', () => {
    const dir = fixtures.copy('fp16External');
    const full = statSync(join(dir, 'unet/weights.pb')).size;
    truncateFile(dir, 'unet/weights.pb', 0.75);
    const truncated = inspectModelDirectory(dir);
    expect(triples(truncated)).toEqual([['error', 'unet/weights.pb', 'external-data-truncated']]);
    expect(truncated.problems[0]?.message).toMatch(new RegExp(`^is ${Math.floor(full * 0.75)} bytes but unet/model.onnx references bytes up to ${full}: \\d+ of \\d+ tensors end past`));
    expect(truncated.problems[0]?.rule).toBe('an external data file holds every byte its tensors reference (offset + length <= file size)');
    expect(component(truncated, 'unet').externalData[0]).toMatchObject({ size: Math.floor(full * 0.75), bytesReferenced: full });

    rmSync(join(dir, 'unet/weights.pb'));
    const missing = inspectModelDirectory(dir);
    expect(triples(missing)).toEqual([['error', 'unet/weights.pb', 'external-data-missing']]);
    expect(missing.problems[0]?.message).toMatch(/^is missing \(referenced by \d+ tensors of unet\/model.onnx\)$/);
  });

  it('reports external data references that are malformed or escape the folder', () => {
    const dir = fixtures.copy('fp16External');
    rewriteModel(dir, 'unet/model.onnx', (model) => {
      const external = (model.graph?.initializer ?? []).filter((t) => t.external_data?.length);
      const [first, second] = external;
      if (!first?.external_data || !second?.external_data) throw new Error('expected external tensors');
      for (const entry of first.external_data) if (entry.key === 'length') entry.value = '12';
      for (const entry of second.external_data) if (entry.key === 'location') entry.value = '../../elsewhere.bin';
    });
    const report = inspectModelDirectory(dir);
    expect(triples(report)).toEqual([
      ['error', 'unet/model.onnx', 'external-data-invalid'],
      ['error', 'unet/model.onnx', 'external-data-invalid'],
    ]);
    expect(report.problems[0]?.message).toMatch(/^1 external data reference wrong: .* has length 12, float16 \[\d+, \d+\] needs \d+$/);
    expect(report.problems[1]?.message).toBe('external data location "../../elsewhere.bin" points outside the model directory');
  });

  it('reports a wrong dtype', () => {
    const dir = fixtures.copy('tiny');
    rewriteModel(dir, 'unet/model.onnx', (model) => {
      const sample = model.graph?.input.find((i) => i.name === 'sample');
      if (!sample?.type?.tensor_type) throw new Error('no sample input');
      sample.type.tensor_type.elem_type = 6; // int32
    });
    const report = inspectModelDirectory(dir);
    expect(report.problems).toEqual([
      {
        severity: 'error',
        file: 'unet/model.onnx',
        code: 'wrong-dtype',
        rule: 'UNet sample is float32 or float16',
        message: '"sample" is int32, expected float32 or float16',
      },
    ]);
  });

  it('reports a missing tokenizer file, an invalid vocabulary and missing special tokens', () => {
    const dir = fixtures.copy('tiny');
    rmSync(join(dir, 'tokenizer/merges.txt'));
    const missing = inspectModelDirectory(dir);
    expect(missing.problems).toEqual([
      {
        severity: 'error',
        file: 'tokenizer/merges.txt',
        code: 'missing-file',
        rule: 'the tokenizer folder has vocab.json, merges.txt, special_tokens_map.json and tokenizer_config.json',
        message: 'is missing',
      },
    ]);
    writeFileSync(join(dir, 'tokenizer/vocab.json'), '["a", "b"]');
    editJson(dir, 'tokenizer/special_tokens_map.json', ({ bos_token: _bos, ...rest }) => rest);
    editJson(dir, 'tokenizer/tokenizer_config.json', ({ bos_token: _bos, ...rest }) => rest);
    expect(triples(inspectModelDirectory(dir))).toEqual([
      ['error', 'tokenizer/vocab.json', 'vocab-format'],
      ['error', 'tokenizer/merges.txt', 'missing-file'],
      ['error', 'tokenizer/special_tokens_map.json', 'special-tokens'],
    ]);
  });

  it('reports invalid JSON and a missing model_index.json', () => {
    const dir = fixtures.copy('tiny');
    writeFileSync(join(dir, 'scheduler/scheduler_config.json'), '{"_class_name": "PNDMScheduler",');
    rmSync(join(dir, 'model_index.json'));
    const report = inspectModelDirectory(dir);
    expect(triples(report)).toEqual([
      ['error', 'model_index.json', 'missing-file'],
      ['error', 'scheduler/scheduler_config.json', 'invalid-json'],
    ]);
    expect(report.problems[1]?.rule).toBe('JSON files parse');
    expect(report.modelIndex).toBeNull();
    expect(report.scheduler).toBeNull();
  });

  it('reports every problem, not just the first', () => {
    const dir = fixtures.copy('tiny');
    rmSync(join(dir, 'tokenizer/vocab.json'));
    rewriteModel(dir, 'unet/model.onnx', (model) => renameInput(model, 'encoder_hidden_states', 'context'));
    truncateFile(dir, 'vae_decoder/model.onnx', 0.3);
    const report = inspectModelDirectory(dir);
    expect(triples(report)).toEqual([
      ['error', 'tokenizer/vocab.json', 'missing-file'],
      ['error', 'unet/model.onnx', 'missing-input'],
      ['error', 'unet/model.onnx', 'unexpected-input'],
      ['error', 'vae_decoder/model.onnx', 'decode-failed'],
    ]);
    expect(report.errorCount).toBe(4);
  });

  it('checks sizes between components where both are fixed', () => {
    const dir = fixtures.copy('tiny');
    rewriteModel(dir, 'unet/model.onnx', (model) => {
      const context = model.graph?.input.find((i) => i.name === 'encoder_hidden_states');
      const dims = context?.type?.tensor_type?.shape?.dim;
      if (!dims?.[2]) throw new Error('no encoder_hidden_states width');
      dims[2] = { dim_value: 768 };
    });
    rewriteModel(dir, 'vae_decoder/model.onnx', (model) => {
      const dims = model.graph?.input[0]?.type?.tensor_type?.shape?.dim;
      if (!dims?.[1]) throw new Error('no latent_sample channels');
      dims[1] = { dim_value: 8 };
    });
    const report = inspectModelDirectory(dir);
    expect(report.problems.map((p) => [p.code, p.message])).toEqual([
      ['latent-channels', 'sample has 4 channels but vae_decoder latent_sample has 8'],
      ['cross-attention-width', 'encoder_hidden_states is 768 wide but text_encoder last_hidden_state is 32 wide'],
    ]);
  });

  it('warns, without an error, when components mix float16 and float32', () => {
    const dir = fixtures.copy('tiny');
    const fp16 = fixtures.clean('fp16External');
    rmSync(join(dir, 'unet'), { recursive: true });
    cpSync(join(fp16, 'unet'), join(dir, 'unet'), { recursive: true });
    const report = inspectModelDirectory(dir);
    expect(report.errorCount).toBe(0);
    expect(report.floatDtype).toBe('mixed');
    expect(report.problems).toEqual([
      {
        severity: 'warning',
        file: 'unet/model.onnx',
        code: 'component-dtypes',
        rule: 'components share one float dtype (real float16 exports are float16 throughout)',
        message: 'unet is float16 while text_encoder, vae_decoder are float32; the pipeline converts at every hand-over',
      },
    ]);
  });

  it('reports a component model_index.json lists but the disk lacks, and one it does not list', () => {
    const dir = fixtures.copy('fp16External');
    editJson(dir, 'model_index.json', ({ vae_encoder: _encoder, ...rest }) => ({ ...rest, safety_checker: ['diffusers', 'OnnxRuntimeModel'] }));
    const report = inspectModelDirectory(dir);
    expect(report.problems.map((p) => [p.severity, p.file, p.code, p.message])).toEqual([
      ['warning', 'model_index.json', 'unlisted-component', 'vae_encoder/model.onnx is on disk but model_index.json does not list vae_encoder'],
      ['error', 'safety_checker/model.onnx', 'missing-component', 'the safety_checker folder is missing but model_index.json lists safety_checker'],
    ]);
  });

  it('reports a path that is not a directory', () => {
    const report = inspectModelDirectory(join(fixtures.root, 'nowhere'));
    expect(triples(report)).toEqual([['error', '.', 'not-a-directory']]);
  });
});

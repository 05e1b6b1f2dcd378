import { checkComponentSignature, timestepKind } from './component-rules';
import type { ComponentName, DimSummary, TensorSignature } from './inspection-report';
import { ProblemList } from './problem-list';

const t = (name: string, dtype: string, shape: DimSummary[] | null): TensorSignature => ({ name, dtype, shape });

function check(name: ComponentName, inputs: TensorSignature[], outputs: TensorSignature[]) {
  const problems = new ProblemList();
  const findings = checkComponentSignature(name, `${name}/model.onnx`, inputs, outputs, problems);
  return { findings, problems: problems.toArray().map((p) => [p.severity, p.code, p.message]) };
}

const UNET_OUT = [t('out_sample', 'float32', ['batch', 4, 'h', 'w'])];
const unetInputs = (timestep: TensorSignature): TensorSignature[] => [
  t('sample', 'float32', ['batch', 4, 'h', 'w']),
  timestep,
  t('encoder_hidden_states', 'float32', ['batch', 77, 768]),
];

describe('timestepKind', () => {
  it.each([
    [t('timestep', 'float32', ['batch']), 'float-batch'],
    [t('timestep', 'float16', [1]), 'float-batch'],
    [t('timestep', 'int64', ['steps']), 'int64-batch'],
    [t('timestep', 'float32', []), 'float-scalar'],
    [t('timestep', 'int64', []), 'unknown'],
    [t('timestep', 'int32', ['batch']), 'unknown'],
    [t('timestep', 'float32', null), 'unknown'],
  ])('%j is %s', (signature, kind) => {
    expect(timestepKind(signature)).toBe(kind);
  });
});

describe('checkComponentSignature', () => {
  it('accepts a UNet with each timestep signature real exports use', () => {
    for (const [timestep, kind] of [
      [t('timestep', 'float32', ['batch']), 'float-batch'],
      [t('timestep', 'int64', ['batch']), 'int64-batch'],
      [t('timestep', 'float32', []), 'float-scalar'],
    ] as const) {
      expect(check('unet', unetInputs(timestep), UNET_OUT)).toEqual({ findings: { floatDtype: 'float32', timestep: kind }, problems: [] });
    }
  });

  it('rejects an int64 scalar timestep, a rank-2 one, and a string one', () => {
    expect(check('unet', unetInputs(t('timestep', 'int64', [])), UNET_OUT).problems).toEqual([
      ['error', 'timestep-signature', '"timestep" is int64 with rank 0, a signature no export uses'],
    ]);
    expect(check('unet', unetInputs(t('timestep', 'float32', [1, 1])), UNET_OUT).problems).toEqual([
      ['error', 'wrong-rank', '"timestep" has rank 2, expected rank 0 or 1'],
    ]);
    expect(check('unet', unetInputs(t('timestep', 'string', [1])), UNET_OUT).problems).toEqual([
      ['error', 'wrong-dtype', '"timestep" is string, expected float32, float16 or int64'],
    ]);
  });

  it('reports wrong ranks, fixed sizes and channel mismatches', () => {
    const inputs = [t('sample', 'float32', ['batch', 4, 'h']), t('timestep', 'float32', ['batch']), t('encoder_hidden_states', 'float32', ['batch', 77, 768])];
    expect(check('unet', inputs, UNET_OUT).problems).toEqual([
      ['error', 'wrong-rank', '"sample" has rank 3, expected rank 4'],
    ]);
    expect(check('unet', unetInputs(t('timestep', 'float32', ['batch'])), [t('out_sample', 'float32', ['batch', 8, 'h', 'w'])]).problems).toEqual([
      ['error', 'latent-channels', 'sample has 4 channels but out_sample has 8'],
    ]);
    expect(check('text_encoder', [t('input_ids', 'int32', ['batch', 64])], [t('last_hidden_state', 'float32', ['batch', 64, 768])]).problems).toEqual([
      ['error', 'wrong-dim', '"input_ids" has 64 at axis 1, expected 77'],
      ['error', 'wrong-dim', '"last_hidden_state" has 64 at axis 1, expected 77'],
      ['warning', 'missing-output', 'missing output "pooler_output"'],
    ]);
  });

  it('accepts int64 input_ids and a dynamic sequence length, and warns about extra outputs', () => {
    const outputs = [t('last_hidden_state', 'float16', ['batch', 'sequence', 768]), t('pooler_output', 'float16', ['batch', 768]), t('hidden_states.11', 'float16', null)];
    expect(check('text_encoder', [t('input_ids', 'int64', ['batch', 'sequence'])], outputs)).toEqual({
      findings: { floatDtype: 'float16' },
      problems: [['warning', 'unexpected-output', 'unexpected output "hidden_states.11"']],
    });
  });

  it('reports float16 and float32 mixed inside one component', () => {
    const result = check('vae_decoder', [t('latent_sample', 'float16', ['batch', 4, 'h', 'w'])], [t('sample', 'float32', ['batch', 3, 'H', 'W'])]);
    expect(result).toEqual({
      findings: { floatDtype: 'mixed' },
      problems: [['error', 'mixed-dtype', 'float inputs and outputs mix float16 (latent_sample) and float32 (sample)']],
    });
  });

  it('accepts either VAE encoder output name and checks image channels', () => {
    expect(check('vae_encoder', [t('sample', 'float32', ['b', 3, 'h', 'w'])], [t('latent_sample', 'float32', ['b', 4, 'h', 'w'])]).problems).toEqual([]);
    expect(check('vae_encoder', [t('sample', 'float32', ['b', 4, 'h', 'w'])], [t('latent', 'float32', ['b', 4, 'h', 'w'])]).problems).toEqual([
      ['error', 'wrong-dim', '"sample" has 4 at axis 1, expected 3'],
      ['error', 'missing-output', 'missing output "latent_sample" or "latent_parameters"'],
      ['warning', 'unexpected-output', 'unexpected output "latent"'],
    ]);
  });

  it('checks the safety checker', () => {
    const inputs = [t('clip_input', 'float32', ['b', 3, 224, 224]), t('images', 'float32', ['b', 'h', 'w', 3])];
    const outputs = [t('out_images', 'float32', ['b', 'h', 'w', 3]), t('has_nsfw_concepts', 'bool', ['b'])];
    expect(check('safety_checker', inputs, outputs).problems).toEqual([]);
    expect(check('safety_checker', inputs, [outputs[0] as TensorSignature, t('has_nsfw_concepts', 'float32', ['b'])]).problems).toEqual([
      ['error', 'wrong-dtype', '"has_nsfw_concepts" is float32, expected bool'],
    ]);
  });

  it('warns when a shape is not declared', () => {
    expect(check('vae_decoder', [t('latent_sample', 'float32', null)], [t('sample', 'float32', ['b', 3, 'H', 'W'])]).problems).toEqual([
      ['warning', 'wrong-shape', '"latent_sample" declares no shape; its rank cannot be checked'],
    ]);
  });
});

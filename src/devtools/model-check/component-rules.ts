/**
 * What each exported component's graph must look like: input and output names, dtypes, ranks and
 * the fixed sizes a Stable Diffusion pipeline relies on. Dynamic dimensions always pass.
 */
import { isFloatDtype } from './onnx-dtypes';
import type { ComponentName, FloatDtype, TensorSignature, TimestepKind } from './inspection-report';
import type { ProblemList, Rule } from './problem-list';

type TensorKind = 'float' | 'token-ids' | 'timestep' | 'bool';

interface TensorRule {
  /** Accepted names; the first is the usual one (vae_encoder's output has two spellings). */
  readonly names: readonly string[];
  /** Severity when it is missing; undefined for an optional output that may be absent silently. */
  readonly whenMissing?: 'error' | 'warning';
  readonly kind: TensorKind;
  /** Accepted ranks (timestep: 0 or 1). */
  readonly ranks: readonly number[];
  /** How the shape reads in rule texts: `[batch, 4, height, width]`. */
  readonly shapeText: string;
  readonly fixed?: readonly { readonly axis: number; readonly value: number }[];
}

interface ComponentSpec {
  readonly label: string;
  readonly inputs: readonly TensorRule[];
  readonly outputs: readonly TensorRule[];
}

const image = (channelsAxis: number): TensorRule['fixed'] => [{ axis: channelsAxis, value: 3 }];

export const COMPONENT_SPECS: Readonly<Record<ComponentName, ComponentSpec>> = {
  text_encoder: {
    label: 'text encoder',
    inputs: [{ names: ['input_ids'], whenMissing: 'error', kind: 'token-ids', ranks: [2], shapeText: '[batch, 77]', fixed: [{ axis: 1, value: 77 }] }],
    outputs: [
      { names: ['last_hidden_state'], whenMissing: 'error', kind: 'float', ranks: [3], shapeText: '[batch, 77, width]', fixed: [{ axis: 1, value: 77 }] },
      { names: ['pooler_output'], whenMissing: 'warning', kind: 'float', ranks: [2], shapeText: '[batch, width]' },
    ],
  },
  unet: {
    label: 'UNet',
    inputs: [
      { names: ['sample'], whenMissing: 'error', kind: 'float', ranks: [4], shapeText: '[batch, channels, height, width]' },
      { names: ['timestep'], whenMissing: 'error', kind: 'timestep', ranks: [0, 1], shapeText: '[batch] or []' },
      { names: ['encoder_hidden_states'], whenMissing: 'error', kind: 'float', ranks: [3], shapeText: '[batch, sequence, width]' },
    ],
    outputs: [{ names: ['out_sample'], whenMissing: 'error', kind: 'float', ranks: [4], shapeText: '[batch, channels, height, width]' }],
  },
  vae_decoder: {
    label: 'VAE decoder',
    inputs: [{ names: ['latent_sample'], whenMissing: 'error', kind: 'float', ranks: [4], shapeText: '[batch, channels, height, width]' }],
    outputs: [{ names: ['sample'], whenMissing: 'error', kind: 'float', ranks: [4], shapeText: '[batch, 3, 8*height, 8*width]', fixed: image(1) }],
  },
  vae_encoder: {
    label: 'VAE encoder',
    inputs: [{ names: ['sample'], whenMissing: 'error', kind: 'float', ranks: [4], shapeText: '[batch, 3, height, width]', fixed: image(1) }],
    outputs: [
      { names: ['latent_sample', 'latent_parameters'], whenMissing: 'error', kind: 'float', ranks: [4], shapeText: '[batch, channels, height/8, width/8]' },
    ],
  },
  safety_checker: {
    label: 'safety checker',
    inputs: [
      { names: ['clip_input'], whenMissing: 'error', kind: 'float', ranks: [4], shapeText: '[batch, 3, 224, 224]', fixed: image(1) },
      { names: ['images'], whenMissing: 'error', kind: 'float', ranks: [4], shapeText: '[batch, height, width, 3]', fixed: image(3) },
    ],
    outputs: [
      { names: ['out_images'], whenMissing: 'error', kind: 'float', ranks: [4], shapeText: '[batch, height, width, 3]', fixed: image(3) },
      { names: ['has_nsfw_concepts'], whenMissing: 'error', kind: 'bool', ranks: [1], shapeText: '[batch]' },
    ],
  },
};

const TIMESTEP_RULE: Rule = { code: 'timestep-signature', text: 'UNet timestep is float [batch], int64 [batch] or float [] (scalar)' };
const MIXED_FLOATS: Rule = { code: 'mixed-dtype', text: "a component's float inputs and outputs share one dtype (float32 or float16)" };
const UNET_CHANNELS: Rule = { code: 'latent-channels', text: 'UNet out_sample has as many channels as sample' };

export interface ComponentFindings {
  readonly floatDtype: FloatDtype | 'mixed' | null;
  readonly timestep?: TimestepKind;
}

/** Checks one decoded component's signature; `file` names it in problems (`unet/model.onnx`). */
export function checkComponentSignature(
  name: ComponentName,
  file: string,
  inputs: readonly TensorSignature[],
  outputs: readonly TensorSignature[],
  problems: ProblemList,
): ComponentFindings {
  const spec = COMPONENT_SPECS[name];
  checkSide(spec, 'input', spec.inputs, inputs, file, problems);
  checkSide(spec, 'output', spec.outputs, outputs, file, problems);
  const floatDtype = checkFloatConsistency([...inputs, ...outputs], file, problems);
  if (name !== 'unet') return { floatDtype };
  const sample = inputs.find((t) => t.name === 'sample');
  const out = outputs.find((t) => t.name === 'out_sample');
  const inChannels = sample?.shape?.[1];
  const outChannels = out?.shape?.[1];
  if (typeof inChannels === 'number' && typeof outChannels === 'number' && inChannels !== outChannels) {
    problems.error(file, UNET_CHANNELS, `sample has ${inChannels} channels but out_sample has ${outChannels}`);
  }
  const timestep = inputs.find((t) => t.name === 'timestep');
  return { floatDtype, timestep: timestep ? timestepKind(timestep) : 'unknown' };
}

/** The timestep signature the engine must feed; `unknown` for anything else. */
export function timestepKind(timestep: TensorSignature): TimestepKind {
  const rank = timestep.shape?.length;
  if (rank === 1 && isFloatDtype(timestep.dtype)) return 'float-batch';
  if (rank === 1 && timestep.dtype === 'int64') return 'int64-batch';
  if (rank === 0 && isFloatDtype(timestep.dtype)) return 'float-scalar';
  return 'unknown';
}

function sideRule(spec: ComponentSpec, side: 'input' | 'output', rules: readonly TensorRule[]): Rule {
  const names = rules.map((r) => r.names.join(' or ')).join(', ');
  const verb = rules.length === 1 ? `${side} is` : `${side}s are`;
  return { code: `${side}-names`, text: `${spec.label} ${verb} ${names}` };
}

function checkSide(
  spec: ComponentSpec,
  side: 'input' | 'output',
  rules: readonly TensorRule[],
  tensors: readonly TensorSignature[],
  file: string,
  problems: ProblemList,
): void {
  const namesRule = sideRule(spec, side, rules);
  const missingRule: Rule = { ...namesRule, code: `missing-${side}` };
  const unexpectedRule: Rule = { ...namesRule, code: `unexpected-${side}` };
  for (const rule of rules) {
    const tensor = tensors.find((t) => rule.names.includes(t.name));
    if (tensor) checkTensor(spec, rule, tensor, file, problems);
    else if (rule.whenMissing) {
      problems.add(rule.whenMissing, file, missingRule, `missing ${side} ${rule.names.map((n) => `"${n}"`).join(' or ')}`);
    }
  }
  const known = new Set(rules.flatMap((r) => r.names));
  for (const tensor of tensors) {
    if (known.has(tensor.name)) continue;
    // The pipeline cannot feed an input it does not know; an extra output is merely ignored.
    problems.add(side === 'input' ? 'error' : 'warning', file, unexpectedRule, `unexpected ${side} "${tensor.name}"`);
  }
}

function checkTensor(spec: ComponentSpec, rule: TensorRule, tensor: TensorSignature, file: string, problems: ProblemList): void {
  const what = `${spec.label} ${tensor.name}`;
  if (rule.kind === 'timestep') {
    checkTimestep(tensor, file, problems);
    return;
  }
  const dtypeOk =
    rule.kind === 'float' ? isFloatDtype(tensor.dtype) : rule.kind === 'token-ids' ? ['int32', 'int64'].includes(tensor.dtype) : tensor.dtype === 'bool';
  if (!dtypeOk) {
    const expected = rule.kind === 'float' ? 'float32 or float16' : rule.kind === 'token-ids' ? 'int32 or int64' : 'bool';
    problems.error(file, { code: 'wrong-dtype', text: `${what} is ${expected}` }, `"${tensor.name}" is ${tensor.dtype}, expected ${expected}`);
  }
  const shapeRule: Rule = { code: 'wrong-shape', text: `${what} is ${rule.shapeText}` };
  if (!tensor.shape) {
    problems.warning(file, shapeRule, `"${tensor.name}" declares no shape; its rank cannot be checked`);
    return;
  }
  if (!rule.ranks.includes(tensor.shape.length)) {
    problems.error(file, { ...shapeRule, code: 'wrong-rank' }, `"${tensor.name}" has rank ${tensor.shape.length}, expected rank ${rule.ranks.join(' or ')}`);
    return;
  }
  for (const { axis, value } of rule.fixed ?? []) {
    const dim = tensor.shape[axis];
    if (typeof dim === 'number' && dim !== value) {
      problems.error(file, { ...shapeRule, code: 'wrong-dim' }, `"${tensor.name}" has ${dim} at axis ${axis}, expected ${value}`);
    }
  }
}

function checkTimestep(tensor: TensorSignature, file: string, problems: ProblemList): void {
  if (!isFloatDtype(tensor.dtype) && tensor.dtype !== 'int64') {
    problems.error(file, { ...TIMESTEP_RULE, code: 'wrong-dtype' }, `"timestep" is ${tensor.dtype}, expected float32, float16 or int64`);
  } else if (!tensor.shape) {
    problems.warning(file, TIMESTEP_RULE, '"timestep" declares no shape; its signature (batch or scalar) cannot be determined');
  } else if (tensor.shape.length > 1) {
    problems.error(file, { ...TIMESTEP_RULE, code: 'wrong-rank' }, `"timestep" has rank ${tensor.shape.length}, expected rank 0 or 1`);
  } else if (timestepKind(tensor) === 'unknown') {
    problems.error(file, TIMESTEP_RULE, `"timestep" is ${tensor.dtype} with rank ${tensor.shape.length}, a signature no export uses`);
  }
}

function checkFloatConsistency(tensors: readonly TensorSignature[], file: string, problems: ProblemList): FloatDtype | 'mixed' | null {
  const byDtype = new Map<FloatDtype, string[]>();
  for (const t of tensors) {
    if (!isFloatDtype(t.dtype)) continue;
    byDtype.set(t.dtype, [...(byDtype.get(t.dtype) ?? []), t.name]);
  }
  if (byDtype.size === 0) return null;
  if (byDtype.size === 1) return [...byDtype.keys()][0] as FloatDtype;
  const parts = [...byDtype].map(([dtype, names]) => `${dtype} (${names.join(', ')})`);
  problems.error(file, MIXED_FLOATS, `float inputs and outputs mix ${parts.join(' and ')}`);
  return 'mixed';
}

/** One ONNX component folder: decode model.onnx, check its signature and its weights. */
import { imageSizeMultiple, unetSizeGranularity } from '../../engine/model/unet-size-granularity';
import { checkComponentSignature } from './component-rules';
import { checkWeights } from './external-data-check';
import type { ComponentName, ComponentSummary } from './inspection-report';
import { readOnnxSummary } from './onnx-summary';
import type { ProblemList, Rule } from './problem-list';

const DECODES: Rule = { code: 'decode-failed', text: 'model.onnx is a complete ONNX model (protobuf ModelProto with a graph)' };

const EMPTY_STATS = { count: 0, bytes: 0, externalCount: 0, externalBytes: 0 };

/** `path` is `root/name/model.onnx`, which exists and is `size` bytes. */
export function inspectComponent(root: string, name: ComponentName, path: string, size: number, problems: ProblemList): ComponentSummary {
  const file = `${name}/model.onnx`;
  const read = readOnnxSummary(path, size);
  if (!read.ok) {
    problems.error(file, DECODES, `cannot be decoded: ${read.reason}`);
    return {
      name,
      file,
      size,
      decoded: false,
      irVersion: null,
      opset: null,
      producer: null,
      inputs: [],
      outputs: [],
      initializers: EMPTY_STATS,
      externalData: [],
      floatDtype: null,
      ...(name === 'unet' ? { timestep: 'unknown' as const } : {}),
    };
  }
  const { summary } = read;
  const findings = checkComponentSignature(name, file, summary.inputs, summary.outputs, problems);
  const weights = checkWeights(root, name, file, summary.initializers, problems);
  const embedding = name === 'text_encoder' ? summary.initializers.find((t) => t.name.endsWith('token_embedding.weight')) : undefined;
  return {
    name,
    file,
    size,
    decoded: true,
    irVersion: summary.irVersion,
    opset: summary.opset,
    producer: summary.producer || null,
    inputs: summary.inputs,
    outputs: summary.outputs,
    initializers: weights.initializers,
    externalData: weights.externalData,
    ...findings,
    ...(embedding?.dims.length === 2 ? { tokenEmbedding: [embedding.dims[0] as number, embedding.dims[1] as number] as const } : {}),
    ...(name === 'unet' ? sizeMultipleOf(path) : {}),
  };
}

/** The UNet's size multiple; nothing when the walk fails (decoding already reported what is wrong). */
function sizeMultipleOf(path: string): { sizeMultiple?: number } {
  try {
    return { sizeMultiple: imageSizeMultiple(unetSizeGranularity(path)) };
  } catch {
    return {};
  }
}

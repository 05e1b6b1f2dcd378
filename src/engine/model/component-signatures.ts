/**
 * What the engine needs to know about each graph, read from onnxruntime's session metadata:
 * float16 or float32, the UNet's `timestep` flavour, and the widths that must agree.
 * Exports differ here in the wild, so nothing is assumed.
 */
import { ModelDirectoryError } from '../errors';
import { MAX_PROMPT_CHUNKS } from '../prompt-weighting';
import type { ValueInfo } from '../runtime/onnx-runtime';

import type { FloatType } from '../runtime/float-tensor';

export type { FloatType };

/** `batch`: one timestep per row ([B]); `scalar`: one for the whole call ([]), so rows must share it. */
export interface TimestepInput {
  readonly type: FloatType | 'int64';
  readonly batched: boolean;
}

export interface ModelSignature {
  readonly dtype: FloatType;
  readonly tokenInputType: 'int32' | 'int64';
  readonly sequenceLength: number;
  readonly contextWidth: number;
  /**
   * Prompt chunks of sequenceLength positions the UNet's context can take: MAX_PROMPT_CHUNKS when
   * its encoder_hidden_states sequence axis is dynamic (as optimum exports it), 1 when fixed.
   */
  readonly maxPromptChunks: number;
  readonly latentChannels: number;
  readonly timestep: TimestepInput;
  /** The VAE decoder's latent_sample height and width are dynamic, so it can decode tiles of a latent (tiled decoding); false when fixed. */
  readonly vaeTileable: boolean;
}

interface GraphIo {
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
}

export function readSignature(dir: string, graphs: { textEncoder: GraphIo; unet: GraphIo; vaeDecoder: GraphIo }): ModelSignature {
  const fail = (file: string, problem: string): never => {
    throw new ModelDirectoryError(dir, file, problem);
  };
  const te = 'text_encoder/model.onnx';
  const un = 'unet/model.onnx';
  const vd = 'vae_decoder/model.onnx';

  const ids = find(graphs.textEncoder.inputs, 'input_ids') ?? fail(te, 'has no input "input_ids"');
  if (ids.type !== 'int32' && ids.type !== 'int64') fail(te, `input_ids must be int32 or int64, is ${ids.type}`);
  const sequenceLength = ids.shape.length === 2 && typeof ids.shape[1] === 'number' ? ids.shape[1] : 77;
  const hidden = find(graphs.textEncoder.outputs, 'last_hidden_state') ?? fail(te, 'has no output "last_hidden_state"');

  const sample = find(graphs.unet.inputs, 'sample') ?? fail(un, 'has no input "sample"');
  const timestep = find(graphs.unet.inputs, 'timestep') ?? fail(un, 'has no input "timestep"');
  const context = find(graphs.unet.inputs, 'encoder_hidden_states') ?? fail(un, 'has no input "encoder_hidden_states"');
  if (!find(graphs.unet.outputs, 'out_sample')) fail(un, 'has no output "out_sample"');
  const dtype = floatType(sample.type) ?? fail(un, `sample must be float32 or float16, is ${sample.type}`);
  if (sample.shape.length !== 4) fail(un, `sample must have rank 4 [batch, channels, height, width], has rank ${sample.shape.length}`);
  if (context.type !== dtype) fail(un, `encoder_hidden_states must be ${dtype} like sample, is ${context.type}`);
  if (hidden.type !== dtype) fail(te, `last_hidden_state must be ${dtype} like the UNet, is ${hidden.type}`);
  if (timestep.shape.length > 1) fail(un, `timestep must be a scalar or [batch], has rank ${timestep.shape.length}`);
  const timestepType = timestep.type === 'int64' ? 'int64' : (floatType(timestep.type) ?? fail(un, `timestep must be float or int64, is ${timestep.type}`));

  const latent = find(graphs.vaeDecoder.inputs, 'latent_sample') ?? fail(vd, 'has no input "latent_sample"');
  if (!find(graphs.vaeDecoder.outputs, 'sample')) fail(vd, 'has no output "sample"');
  if (latent.type !== dtype) fail(vd, `latent_sample must be ${dtype} like the UNet, is ${latent.type}`);

  const latentChannels = fixed(sample.shape[1]) ?? fixed(latent.shape[1]) ?? 4;
  const vaeChannels = fixed(latent.shape[1]);
  if (vaeChannels !== undefined && vaeChannels !== latentChannels) {
    fail(vd, `latent_sample has ${vaeChannels} channels but the UNet's sample has ${latentChannels}`);
  }
  const contextWidth = fixed(context.shape[2]) ?? fixed(hidden.shape[2]) ?? fail(un, 'encoder_hidden_states has no fixed width');
  const hiddenWidth = fixed(hidden.shape[2]);
  if (hiddenWidth !== undefined && hiddenWidth !== contextWidth) {
    fail(te, `last_hidden_state is ${hiddenWidth} wide but the UNet's cross-attention expects ${contextWidth}`);
  }
  return {
    dtype,
    tokenInputType: ids.type as 'int32' | 'int64',
    sequenceLength,
    contextWidth,
    maxPromptChunks: fixed(context.shape[1]) === undefined ? MAX_PROMPT_CHUNKS : 1,
    latentChannels,
    timestep: { type: timestepType, batched: timestep.shape.length === 1 },
    vaeTileable: latent.shape.length === 4 && fixed(latent.shape[2]) === undefined && fixed(latent.shape[3]) === undefined,
  };
}

function find(values: readonly ValueInfo[], name: string): ValueInfo | undefined {
  return values.find((v) => v.name === name);
}

function floatType(type: string): FloatType | undefined {
  return type === 'float32' || type === 'float16' ? type : undefined;
}

function fixed(dim: number | string | undefined): number | undefined {
  return typeof dim === 'number' && dim > 0 ? dim : undefined;
}

/** Rules between components: the sizes one hands to the next must agree where both are fixed. */
import type { ComponentName, ComponentSummary, DimSummary, FloatDtype } from './inspection-report';
import type { ProblemList, Rule } from './problem-list';

const LATENT_CHANNELS: Rule = { code: 'latent-channels', text: 'UNet sample channels equal the VAE latent channels' };
const CROSS_ATTENTION_WIDTH: Rule = { code: 'cross-attention-width', text: 'UNet encoder_hidden_states width equals the text encoder hidden width' };
const SEQUENCE_LENGTH: Rule = { code: 'sequence-length', text: 'UNet encoder_hidden_states length equals the text encoder sequence length' };
const SHARED_DTYPE: Rule = { code: 'component-dtypes', text: 'components share one float dtype (real float16 exports are float16 throughout)' };
const TOKENIZER_LENGTH: Rule = { code: 'sequence-length', text: "the tokenizer's model_max_length equals the text encoder's input_ids length" };
const VOCABULARY_FITS: Rule = { code: 'vocabulary-size', text: "every tokenizer id is a row of the text encoder's token embedding" };

export interface TokenizerFacts {
  /** Largest tokenizer id + 1. */
  readonly idCount: number | null;
  readonly modelMaxLength: number | null;
}

function dim(components: readonly ComponentSummary[], component: ComponentName, tensor: string, axis: number): DimSummary | undefined {
  const summary = components.find((c) => c.name === component);
  const signature = summary && [...summary.inputs, ...summary.outputs].find((t) => t.name === tensor);
  return signature?.shape?.[axis];
}

/** Returns the float dtype the components share (`mixed` when they differ, null when none has one). */
export function checkAcrossComponents(
  components: readonly ComponentSummary[],
  tokenizer: TokenizerFacts,
  problems: ProblemList,
): FloatDtype | 'mixed' | null {
  const unetSample = dim(components, 'unet', 'sample', 1);
  const decoderLatents = dim(components, 'vae_decoder', 'latent_sample', 1);
  if (typeof unetSample === 'number' && typeof decoderLatents === 'number' && unetSample !== decoderLatents) {
    problems.error('unet/model.onnx', LATENT_CHANNELS, `sample has ${unetSample} channels but vae_decoder latent_sample has ${decoderLatents}`);
  }
  checkEncoderLatents(components, typeof decoderLatents === 'number' ? decoderLatents : unetSample, problems);

  const contextWidth = dim(components, 'unet', 'encoder_hidden_states', 2);
  const hiddenWidth = dim(components, 'text_encoder', 'last_hidden_state', 2);
  if (typeof contextWidth === 'number' && typeof hiddenWidth === 'number' && contextWidth !== hiddenWidth) {
    problems.error(
      'unet/model.onnx',
      CROSS_ATTENTION_WIDTH,
      `encoder_hidden_states is ${contextWidth} wide but text_encoder last_hidden_state is ${hiddenWidth} wide`,
    );
  }
  const contextLength = dim(components, 'unet', 'encoder_hidden_states', 1);
  const hiddenLength = dim(components, 'text_encoder', 'last_hidden_state', 1);
  if (typeof contextLength === 'number' && typeof hiddenLength === 'number' && contextLength !== hiddenLength) {
    problems.error('unet/model.onnx', SEQUENCE_LENGTH, `encoder_hidden_states has ${contextLength} tokens but text_encoder produces ${hiddenLength}`);
  }

  const embedding = components.find((c) => c.name === 'text_encoder')?.tokenEmbedding;
  const { idCount, modelMaxLength } = tokenizer;
  if (embedding && idCount !== null && idCount > embedding[0]) {
    problems.error('tokenizer/vocab.json', VOCABULARY_FITS, `ids go up to ${idCount - 1} but text_encoder's token embedding has ${embedding[0]} rows`);
  }
  const idsLength = dim(components, 'text_encoder', 'input_ids', 1);
  if (typeof idsLength === 'number' && modelMaxLength !== null && idsLength !== modelMaxLength) {
    problems.warning('tokenizer/tokenizer_config.json', TOKENIZER_LENGTH, `model_max_length is ${modelMaxLength} but text_encoder input_ids has ${idsLength} tokens`);
  }
  return sharedDtype(components, problems);
}

function checkEncoderLatents(components: readonly ComponentSummary[], latents: DimSummary | undefined, problems: ProblemList): void {
  const encoder = components.find((c) => c.name === 'vae_encoder');
  const output = encoder?.outputs.find((t) => t.name === 'latent_sample' || t.name === 'latent_parameters');
  const channels = output?.shape?.[1];
  if (!output || typeof channels !== 'number' || typeof latents !== 'number') return;
  // latent_parameters carries mean and log-variance: twice the latent channels.
  const expected = output.name === 'latent_parameters' ? 2 * latents : latents;
  if (channels !== expected) {
    problems.error('vae_encoder/model.onnx', LATENT_CHANNELS, `${output.name} has ${channels} channels, expected ${expected} for ${latents} latent channels`);
  }
}

function sharedDtype(components: readonly ComponentSummary[], problems: ProblemList): FloatDtype | 'mixed' | null {
  const typed = components.filter((c) => c.floatDtype !== null);
  const dtypes = [...new Set(typed.map((c) => c.floatDtype))];
  if (dtypes.length === 0) return null;
  if (dtypes.length === 1) return dtypes[0] as FloatDtype | 'mixed';
  // Name the odd ones out against the dtype most components (the UNet on a tie) use.
  const count = (d: string | null): number => typed.filter((c) => c.floatDtype === d).length;
  const unetDtype = typed.find((c) => c.name === 'unet')?.floatDtype;
  const majority = [...dtypes].sort((a, b) => count(b) - count(a) || Number(b === unetDtype) - Number(a === unetDtype))[0];
  const others = typed.filter((c) => c.floatDtype === majority).map((c) => c.name).join(', ');
  for (const c of typed) {
    if (c.floatDtype === majority) continue;
    problems.warning(c.file, SHARED_DTYPE, `${c.name} is ${c.floatDtype} while ${others} ${others.includes(',') ? 'are' : 'is'} ${majority}; the pipeline converts at every hand-over`);
  }
  return 'mixed';
}

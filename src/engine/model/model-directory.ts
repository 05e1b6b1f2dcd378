/**
 * Reads the metadata of a diffusers / optimum ONNX Stable Diffusion directory: which components
 * exist and where, the scheduler config, the tokenizer and the VAE scaling factor. No graph is
 * loaded here; sessions come later, per device, from the paths this returns.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ModelDirectoryError } from '../errors';
import { ClipTokenizer, TokenizerFileError } from '../tokenizer';

export const COMPONENTS = ['text_encoder', 'unet', 'vae_decoder'] as const;
export type ComponentName = (typeof COMPONENTS)[number];
/** What a runtime may load for a checkpoint: the three components, and the VAE encoder where it has a usable one. */
export type LoadableComponent = ComponentName | 'vae_encoder';

/** diffusers' default for SD 1.x when a VAE config does not state its own. */
export const DEFAULT_VAE_SCALING_FACTOR = 0.18215;

/** The optional component image to image needs. */
export const VAE_ENCODER_GRAPH = 'vae_encoder/model.onnx';

export interface ModelDirectory {
  readonly dir: string;
  /** `model.onnx` of each component. */
  readonly graphs: Readonly<Record<ComponentName, string>>;
  /**
   * `vae_encoder/model.onnx` when the directory has one (optional: text to image does not need it),
   * else null. Whether its graph is usable is checkVaeEncoder's answer (vae-encoder-graph.ts).
   */
  readonly vaeEncoderGraph: string | null;
  readonly schedulerConfig: Readonly<Record<string, unknown>>;
  readonly tokenizer: ClipTokenizer;
  readonly vaeScalingFactor: number;
}

export function readModelDirectory(dir: string): ModelDirectory {
  const fail = (file: string, problem: string): never => {
    throw new ModelDirectoryError(dir, file, problem);
  };
  if (!existsSync(dir) || !statSync(dir).isDirectory()) fail('.', 'is not a directory');

  const modelIndex = readJsonObject(dir, 'model_index.json');
  const graphs = {} as Record<ComponentName, string>;
  for (const component of COMPONENTS) {
    if (!(component in modelIndex)) fail('model_index.json', `does not list the ${component} component`);
    const path = join(dir, component, 'model.onnx');
    if (!existsSync(path)) fail(`${component}/model.onnx`, 'is missing');
    graphs[component] = path;
  }

  let tokenizer: ClipTokenizer;
  try {
    tokenizer = ClipTokenizer.fromDirectory(join(dir, 'tokenizer'));
  } catch (error) {
    if (error instanceof TokenizerFileError) fail(`tokenizer/${error.file.split('/').pop()}`, error.problem);
    throw error;
  }

  const vaeEncoderGraph = join(dir, VAE_ENCODER_GRAPH);
  return {
    dir,
    graphs,
    vaeEncoderGraph: existsSync(vaeEncoderGraph) ? vaeEncoderGraph : null,
    schedulerConfig: readJsonObject(dir, 'scheduler/scheduler_config.json'),
    tokenizer,
    vaeScalingFactor: readScalingFactor(dir),
  };
}

function readScalingFactor(dir: string): number {
  const file = 'vae_decoder/config.json';
  if (!existsSync(join(dir, file))) return DEFAULT_VAE_SCALING_FACTOR;
  const value = readJsonObject(dir, file)['scaling_factor'];
  if (value === undefined) return DEFAULT_VAE_SCALING_FACTOR;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new ModelDirectoryError(dir, file, `scaling_factor must be a positive number, got ${JSON.stringify(value)}`);
  }
  return value;
}

function readJsonObject(dir: string, file: string): Record<string, unknown> {
  const path = join(dir, file);
  if (!existsSync(path)) throw new ModelDirectoryError(dir, file, 'is missing');
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ModelDirectoryError(dir, file, `is not valid JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ModelDirectoryError(dir, file, 'must hold a JSON object');
  }
  return value as Record<string, unknown>;
}

/** Export options layered over a preset, as the `models:generate` command and tests ask for them. */
import { TIMESTEP_SIGNATURES, type ModelConfig, type TimestepSignature } from './config/model-config';
import { PRESETS } from './config/presets';

export interface GeneratorOptions {
  readonly preset: string;
  readonly float16?: boolean;
  readonly unetExternalData?: boolean;
  readonly timestep?: TimestepSignature;
  readonly vaeEncoder?: boolean;
  readonly seed?: number;
}

export class GeneratorOptionError extends Error {
  constructor(option: string, rule: string) {
    super(`${option}: ${rule}`);
    this.name = 'GeneratorOptionError';
  }
}

export function presetNames(): string[] {
  return Object.keys(PRESETS);
}

/** The preset's config with the options applied; unknown presets and bad values name the option. */
export function configFromOptions(options: GeneratorOptions): ModelConfig {
  const preset = PRESETS[options.preset];
  if (!preset) throw new GeneratorOptionError('--preset', `must be one of ${presetNames().join(', ')} (got "${options.preset}")`);
  if (options.timestep !== undefined && !TIMESTEP_SIGNATURES.includes(options.timestep)) {
    throw new GeneratorOptionError('--timestep', `must be one of ${TIMESTEP_SIGNATURES.join(', ')} (got "${String(options.timestep)}")`);
  }
  if (options.seed !== undefined && (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff)) {
    throw new GeneratorOptionError('--seed', `must be an integer in [0, 4294967295] (got ${options.seed})`);
  }
  return {
    ...preset,
    dtype: options.float16 ? 'float16' : preset.dtype,
    unetExternalData: options.unetExternalData ?? preset.unetExternalData,
    timestep: options.timestep ?? preset.timestep,
    withVaeEncoder: options.vaeEncoder ?? preset.withVaeEncoder,
    seed: options.seed ?? preset.seed,
  };
}

/** A directory name that says what is inside: `tiny`, `tiny-fp16-int64-batch-external-vae-encoder-seed7`. */
export function directoryName(config: ModelConfig): string {
  const parts = [config.preset];
  if (config.dtype === 'float16') parts.push('fp16');
  if (config.timestep !== 'float-batch') parts.push(config.timestep);
  const preset = PRESETS[config.preset];
  if (config.unetExternalData && !preset?.unetExternalData) parts.push('external');
  if (config.withVaeEncoder) parts.push('vae-encoder');
  if (config.seed !== 0) parts.push(`seed${config.seed}`);
  if (config.analyticUnet) parts.push(`analytic${config.analyticUnet.sampleFactor}`);
  return parts.join('-');
}

/**
 * What one text-to-image request asks for, validated before anything is allocated. Every rule
 * names the field it applies to, so a transport can answer a 4xx that tells the client what to fix.
 */
import { InvalidInputError } from '../errors';
import { NOISE_MODES, NUMPY_MAX_SEED, SeedError, parseSeed, randomSeed, type NoiseMode } from '../noise';
import { EMPHASIS_MODES, promptWeightProblem, type EmphasisMode } from '../prompt-weighting';
import { SCHEDULER_NAMES, resolveSchedulerName, type SchedulerName } from '../schedulers';
import type { RgbImage } from './decode-latents';

export interface GenerationRequest {
  readonly prompt: string;
  readonly negativePrompt: string;
  readonly width: number;
  readonly height: number;
  readonly steps: number;
  /** Classifier-free guidance; at most 1 means no guidance (and no unconditional rows). */
  readonly guidanceScale: number;
  /** Image i uses seed + i. */
  readonly seed: bigint;
  readonly scheduler: SchedulerName;
  readonly noiseMode: NoiseMode;
  readonly numImages: number;
  /** DDIM's eta (0 = deterministic); ignored by other schedulers. */
  readonly eta: number;
  /** How `(word:1.3)` weights apply: `original` rescales to the embeddings' mean, `no-norm` does not. */
  readonly emphasis: EmphasisMode;
  /**
   * Image to image: the starting picture as decoded RGB pixels at its own size (the engine fits it
   * to width × height). Absent for text to image.
   */
  readonly initImage?: RgbImage;
  /**
   * Image to image: the share of the schedule that runs, 0 < strength ≤ 1, as diffusers counts it
   * (steps run = floor(steps × strength)). Present exactly when initImage is.
   */
  readonly strength?: number;
}

export interface GenerationLimits {
  readonly minSize: number;
  readonly maxSize: number;
  readonly maxSteps: number;
  readonly maxImages: number;
  readonly maxGuidanceScale: number;
  /** Characters, checked before tokenising so a huge body cannot stall the thread. */
  readonly maxPromptLength: number;
}

export const DEFAULT_LIMITS: GenerationLimits = {
  minSize: 64,
  maxSize: 1024,
  maxSteps: 150,
  maxImages: 8,
  maxGuidanceScale: 50,
  maxPromptLength: 4000,
};

export const DEFAULT_REQUEST = {
  negativePrompt: '',
  width: 512,
  height: 512,
  steps: 25,
  guidanceScale: 7.5,
  scheduler: 'pndm',
  noiseMode: 'torch',
  numImages: 1,
  eta: 0,
  emphasis: 'original',
} as const;

/**
 * The rules that no deployment changes, beside the configurable GenerationLimits. The API's request
 * schema (src/generation/generation.schemas.ts) reads these and DEFAULT_LIMITS, so each is written once.
 */
export const FIXED_RULES = {
  /** Latents are 1/8 of the image in each dimension. */
  sizeMultiple: 8,
  minSteps: 1,
  minImages: 1,
  minGuidanceScale: 0,
  minEta: 0,
  maxEta: 1,
  /** Image to image: strength is in (0, 1]; 0 would run no step at all. */
  minStrengthExclusive: 0,
  maxStrength: 1,
  /** diffusers' StableDiffusionImg2ImgPipeline default. */
  defaultStrength: 0.8,
} as const;

/** Fields as they arrive from outside (JSON, GraphQL, protobuf, a command line). */
export type GenerationInput = Readonly<Record<string, unknown>>;

/** Only this module holds it, so only parseGenerationRequest can make a ValidGenerationRequest. */
const ISSUED_BY_PARSER: unique symbol = Symbol('parseGenerationRequest');

/**
 * A request that passed every rule of parseGenerationRequest: its type is the proof, so the pool
 * takes it without checking it again. A class with an ES private field is nominal: a literal, or
 * a copy with a field changed (`{ ...request, width: 65 }`), does not type-check as one. Frozen,
 * so what was validated is what runs.
 */
export class ValidGenerationRequest implements GenerationRequest {
  declare readonly prompt: string;
  declare readonly negativePrompt: string;
  declare readonly width: number;
  declare readonly height: number;
  declare readonly steps: number;
  declare readonly guidanceScale: number;
  declare readonly seed: bigint;
  declare readonly scheduler: SchedulerName;
  declare readonly noiseMode: NoiseMode;
  declare readonly numImages: number;
  declare readonly eta: number;
  declare readonly emphasis: EmphasisMode;
  declare readonly initImage?: RgbImage;
  declare readonly strength?: number;
  readonly #validated = true;

  constructor(issuer: typeof ISSUED_BY_PARSER, fields: GenerationRequest) {
    if (issuer !== ISSUED_BY_PARSER) throw new TypeError('a ValidGenerationRequest comes from parseGenerationRequest only');
    Object.assign(this, fields);
    Object.freeze(this);
  }

  /** Whether `value` is one parseGenerationRequest made (a spread copy or a structured clone is not). */
  static isValid(value: unknown): value is ValidGenerationRequest {
    return typeof value === 'object' && value !== null && #validated in value;
  }
}

export function parseGenerationRequest(input: GenerationInput, limits: GenerationLimits = DEFAULT_LIMITS): ValidGenerationRequest {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new InvalidInputError('request', 'must be an object');
  const size = (field: string, fallback: number): number => {
    const value = integer(input, field, fallback, limits.minSize, limits.maxSize);
    if (value % FIXED_RULES.sizeMultiple !== 0) throw new InvalidInputError(field, `must be a multiple of ${FIXED_RULES.sizeMultiple} (latents are 1/${FIXED_RULES.sizeMultiple} of the image), got ${value}`);
    return value;
  };
  const request: GenerationRequest = {
    prompt: text(input, 'prompt', undefined, limits.maxPromptLength),
    negativePrompt: text(input, 'negativePrompt', DEFAULT_REQUEST.negativePrompt, limits.maxPromptLength),
    // Defaults shrink to fit tighter limits, so a deployment's limits never reject an omitted field.
    width: size('width', Math.min(DEFAULT_REQUEST.width, limits.maxSize - (limits.maxSize % FIXED_RULES.sizeMultiple))),
    height: size('height', Math.min(DEFAULT_REQUEST.height, limits.maxSize - (limits.maxSize % FIXED_RULES.sizeMultiple))),
    steps: integer(input, 'steps', Math.min(DEFAULT_REQUEST.steps, limits.maxSteps), FIXED_RULES.minSteps, limits.maxSteps),
    guidanceScale: number(input, 'guidanceScale', DEFAULT_REQUEST.guidanceScale, FIXED_RULES.minGuidanceScale, limits.maxGuidanceScale),
    seed: seed(input['seed']),
    scheduler: scheduler(input['scheduler']),
    noiseMode: oneOf(input, 'noiseMode', DEFAULT_REQUEST.noiseMode, NOISE_MODES),
    numImages: integer(input, 'numImages', DEFAULT_REQUEST.numImages, FIXED_RULES.minImages, limits.maxImages),
    eta: number(input, 'eta', DEFAULT_REQUEST.eta, FIXED_RULES.minEta, FIXED_RULES.maxEta),
    emphasis: oneOf(input, 'emphasis', DEFAULT_REQUEST.emphasis, EMPHASIS_MODES),
    ...imageToImage(input),
  };
  // diffusers runs floor(steps × strength) denoising steps (a float64 product, truncated): none is no image.
  if (request.strength !== undefined && Math.floor(request.steps * request.strength) < 1) {
    throw new InvalidInputError('strength', `times steps must be at least 1 (steps run = floor(steps × strength)); ${request.strength} × ${request.steps} steps runs none`);
  }
  if (request.noiseMode === 'numpy' && request.seed + BigInt(request.numImages - 1) > NUMPY_MAX_SEED) {
    throw new InvalidInputError('seed', `with noiseMode numpy, seed + numImages - 1 must be at most ${NUMPY_MAX_SEED} (numpy's RandomState takes 32-bit seeds)`);
  }
  return new ValidGenerationRequest(ISSUED_BY_PARSER, request);
}

/** initImage and strength together, or neither (text to image). */
function imageToImage(input: GenerationInput): Pick<GenerationRequest, 'initImage' | 'strength'> {
  const image = input['initImage'];
  if (image === undefined || image === null) {
    if (input['strength'] !== undefined && input['strength'] !== null) throw new InvalidInputError('strength', 'applies only with initImage (image to image)');
    return {};
  }
  if (!isRgbImage(image)) throw new InvalidInputError('initImage', 'must be an image');
  const strength = number(input, 'strength', FIXED_RULES.defaultStrength, FIXED_RULES.minStrengthExclusive, FIXED_RULES.maxStrength);
  if (strength <= FIXED_RULES.minStrengthExclusive) throw new InvalidInputError('strength', `must be greater than ${FIXED_RULES.minStrengthExclusive} and at most ${FIXED_RULES.maxStrength}, got ${strength}`);
  return { initImage: image, strength };
}

function isRgbImage(value: unknown): value is RgbImage {
  if (typeof value !== 'object' || value === null) return false;
  const { width, height, data } = value as Partial<RgbImage>;
  return Number.isInteger(width) && Number.isInteger(height) && (width ?? 0) > 0 && (height ?? 0) > 0 && data instanceof Uint8Array && data.length === (width ?? 0) * (height ?? 0) * 3;
}

function text(input: GenerationInput, field: string, fallback: string | undefined, maxLength: number): string {
  const value = input[field] ?? fallback;
  if (value === undefined) throw new InvalidInputError(field, 'is required');
  if (typeof value !== 'string') throw new InvalidInputError(field, `must be a string, got ${typeName(value)}`);
  if (value.length > maxLength) throw new InvalidInputError(field, `must be at most ${maxLength} characters, got ${value.length}`);
  const control = CONTROL_CHARACTER.exec(value);
  if (control) {
    const code = `U+${(control[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
    throw new InvalidInputError(field, `must not contain control characters other than tab and newline, got ${code} at index ${control.index}`);
  }
  const weights = promptWeightProblem(value);
  if (weights) throw new InvalidInputError(field, weights);
  return value;
}

/**
 * C0 controls but tab and newline, DEL, and C1 controls. A prompt is written into each image's PNG
 * `parameters` text chunk, whose format forbids NUL, and into logs and metadata that others read;
 * no prompt needs them.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

function number(input: GenerationInput, field: string, fallback: number, min: number, max: number): number {
  const value = input[field] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidInputError(field, `must be a finite number, got ${typeName(value)}`);
  if (value < min || value > max) throw new InvalidInputError(field, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function integer(input: GenerationInput, field: string, fallback: number, min: number, max: number): number {
  const value = number(input, field, fallback, min, max);
  if (!Number.isInteger(value)) throw new InvalidInputError(field, `must be an integer, got ${value}`);
  return value;
}

function oneOf<T extends string>(input: GenerationInput, field: string, fallback: T, allowed: readonly T[]): T {
  const value = input[field] ?? fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    // typeName bounds an echoed string: a 100,000-character scheduler name is not sent back whole.
    throw new InvalidInputError(field, `must be one of ${allowed.join(', ')}, got ${typeName(value)}`);
  }
  return value as T;
}

/** A sampler id or one of its display names (AUTOMATIC1111's "DPM++ 2M Karras"), normalised to the id. */
function scheduler(value: unknown): SchedulerName {
  if (value === undefined || value === null) return DEFAULT_REQUEST.scheduler;
  const id = resolveSchedulerName(value);
  if (id === undefined) {
    throw new InvalidInputError('scheduler', `must be one of ${SCHEDULER_NAMES.join(', ')} or an AUTOMATIC1111 sampler name such as "DPM++ 2M Karras" (the samplers list gives every name), got ${typeName(value)}`);
  }
  return id;
}

function seed(value: unknown): bigint {
  if (value === undefined || value === null) return randomSeed();
  try {
    return parseSeed(value);
  } catch (error) {
    if (error instanceof SeedError) throw new InvalidInputError('seed', error.message.replace(/^seed (string )?/, ''));
    throw error;
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : typeof value === 'object' ? 'an object' : String(value);
}

/**
 * POST /v1/images/generations as a native generation request. OpenAI's own fields are checked here
 * (honoured, accepted and ignored, or refused when they cannot be honoured); the values that become
 * native fields (size, n, model and the extensions) are checked where every native request is, by
 * the generation service and the engine, whose errors the OpenAI error face renames to these fields.
 */
import { IMAGE_FORMATS, type ImageFormat } from '../engine/image/encode-image';
import { DEFAULT_REQUEST } from '../engine/pipeline/generation-request';
import { openAiInvalid } from './openai-errors';
import {
  BACKGROUNDS,
  IGNORED_CHOICES,
  IMAGE_GENERATION_FIELDS,
  MAX_USER_LENGTH,
  OUTPUT_COMPRESSION_RANGE,
  PARTIAL_IMAGES_RANGE,
  RESPONSE_FORMATS,
  UNSUPPORTED_OUTPUT_FORMATS,
  type ResponseFormat,
} from './openai.schemas';

/** What the handler needs: the native body to start, and how to answer. */
export interface ImageGenerationAsk {
  readonly generation: Readonly<Record<string, unknown>>;
  readonly responseFormat: ResponseFormat;
  readonly outputFormat: ImageFormat;
  readonly width: number;
  readonly height: number;
}

/** The extensions, by their native names: passed on as they are, checked by the native rules. */
export const EXTENSIONS = { seed: 'seed', steps: 'steps', scheduler: 'scheduler', negative_prompt: 'negativePrompt', guidance_scale: 'guidanceScale' } as const;

/** `WIDTHxHEIGHT` with at most five digits a side: the engine checks the limits, this only the shape. */
const SIZE = /^([0-9]{1,5})x([0-9]{1,5})$/;

export function parseImageGenerationRequest(body: unknown): ImageGenerationAsk {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw openAiInvalid('body', 'must be a JSON object', undefined, 'invalid_type');
  const input = body as Record<string, unknown>;
  const unknown = Object.keys(input).find((key) => !(IMAGE_GENERATION_FIELDS as readonly string[]).includes(key));
  if (unknown !== undefined) {
    throw openAiInvalid(unknown, `is not a field of this images API (known: ${IMAGE_GENERATION_FIELDS.join(', ')})`, undefined, 'unknown_parameter');
  }
  // null means "the default" for every field, as in the native API.
  const given = (field: string): unknown => input[field] ?? undefined;

  if (given('prompt') === undefined) throw openAiInvalid('prompt', 'is required', undefined, 'missing_required_parameter');
  if (given('stream') !== undefined && given('stream') !== false) throw openAiInvalid('stream', 'streamed answers are not supported; omit it or send false (progress streams: POST /v1/generations and its events)', given('stream'));
  if (given('background') === 'transparent') throw openAiInvalid('background', `transparent cannot be honoured: the images are opaque; use ${BACKGROUNDS.join(' or ')}`);
  for (const field of ['frame_count', 'frame_duration_ms', 'svg']) {
    if (given(field) !== undefined) throw openAiInvalid(field, `is for ${field === 'svg' ? 'SVG' : 'GIF'} output, which this server does not produce; omit it`);
  }
  choice('background', given('background'), BACKGROUNDS);
  for (const [field, choices] of Object.entries(IGNORED_CHOICES)) choice(field, given(field), choices);
  integer('partial_images', given('partial_images'), PARTIAL_IMAGES_RANGE);
  for (const field of ['user', 'safety_identifier']) text(field, given(field), MAX_USER_LENGTH);

  const responseFormat = choice('response_format', given('response_format'), RESPONSE_FORMATS) ?? 'url';
  const outputFormat = outputFormatOf(given('output_format'));
  const compression = integer('output_compression', given('output_compression'), OUTPUT_COMPRESSION_RANGE);
  const { width, height } = sizeOf(given('size'));

  const generation: Record<string, unknown> = { prompt: input['prompt'], width, height, outputFormat };
  if (given('model') !== undefined) generation['checkpoint'] = given('model');
  if (given('n') !== undefined) generation['numImages'] = given('n');
  // The encoder's quality scale starts at 1; PNG is lossless, so there is nothing to set.
  if (compression !== undefined && outputFormat !== 'png') generation['quality'] = Math.max(1, compression);
  for (const [field, nativeField] of Object.entries(EXTENSIONS)) if (given(field) !== undefined) generation[nativeField] = given(field);
  return { generation, responseFormat, outputFormat, width, height };
}

export function sizeOf(value: unknown): { width: number; height: number } {
  if (value === undefined || value === 'auto') return { width: DEFAULT_REQUEST.width, height: DEFAULT_REQUEST.height };
  const match = typeof value === 'string' ? SIZE.exec(value) : null;
  if (!match) throw openAiInvalid('size', 'must be WIDTHxHEIGHT (for example 512x512) or auto', value);
  return { width: Number(match[1]), height: Number(match[2]) };
}

function outputFormatOf(value: unknown): ImageFormat {
  if ((UNSUPPORTED_OUTPUT_FORMATS as readonly unknown[]).includes(value)) {
    throw openAiInvalid('output_format', `${String(value)} cannot be produced here; use one of ${IMAGE_FORMATS.join(', ')}`);
  }
  return choice('output_format', value, IMAGE_FORMATS) ?? 'png';
}

export function choice<T extends string>(field: string, value: unknown, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  throw openAiInvalid(field, `must be one of ${choices.join(', ')}`, value);
}

function integer(field: string, value: unknown, range: { readonly min: number; readonly max: number }): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= range.min && value <= range.max) return value;
  throw openAiInvalid(field, `must be an integer from ${range.min} to ${range.max}`, value);
}

export function text(field: string, value: unknown, maxLength: number): void {
  if (value === undefined) return;
  if (typeof value !== 'string') throw openAiInvalid(field, 'must be a string', value, 'invalid_type');
  if (value.length > maxLength) throw openAiInvalid(field, `must be at most ${maxLength} characters, got ${value.length}`);
}

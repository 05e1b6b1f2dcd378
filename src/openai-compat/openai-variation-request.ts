/**
 * POST /v1/images/variations as a native image-to-image generation: the `image` file part becomes
 * `initImage`, and the text parts become the native fields, as parseImageGenerationRequest does for
 * generations. OpenAI's SDKs send each field as its own text part, so numbers arrive as text: the
 * numeric fields are read as numbers when they look like one, and otherwise passed on as they came,
 * so the native rules refuse them with their own message (`n: must be a finite number, got "x"`).
 */
import { openAiInvalid } from './openai-errors';
import { choice, EXTENSIONS, sizeOf, text, type ImageGenerationAsk } from './openai-image-request';
import { IMAGE_VARIATION_TEXT_FIELDS, MAX_USER_LENGTH, RESPONSE_FORMATS, VARIATION_DEFAULTS, VARIATION_IMAGE_FIELD } from './openai.schemas';

/** Text parts that carry numbers; `seed` stays text, since the native seed takes decimal strings up to 2^64 - 1. */
const NUMERIC_FIELDS: ReadonlySet<string> = new Set(['n', 'steps', 'guidance_scale', 'strength']);
/** A plain decimal, as String(number) writes one: what the SDKs send for a number. */
const DECIMAL = /^-?(?:[0-9]{1,20}(?:\.[0-9]{1,20})?|\.[0-9]{1,20})(?:[eE][+-]?[0-9]{1,3})?$/;

/**
 * `fields` are multer's text parts (all strings, unless a name repeats or uses brackets, which
 * multer turns into arrays and objects); `image` the file part's bytes.
 */
export function parseImageVariationRequest(fields: unknown, image: Buffer | undefined): ImageGenerationAsk {
  const input = fields !== null && typeof fields === 'object' && !Array.isArray(fields) ? (fields as Record<string, unknown>) : {};
  for (const field of Object.keys(input)) {
    if (field === VARIATION_IMAGE_FIELD) throw openAiInvalid(field, 'must be a file part (with a filename), e.g. curl -F image=@dress.png', undefined, 'invalid_type');
    if (!IMAGE_VARIATION_TEXT_FIELDS.includes(field)) {
      throw openAiInvalid(field, `is not a field of image variations (known: ${VARIATION_IMAGE_FIELD}, ${IMAGE_VARIATION_TEXT_FIELDS.join(', ')})`, undefined, 'unknown_parameter');
    }
    if (typeof input[field] !== 'string') throw openAiInvalid(field, 'must be given once, as a plain text part', undefined, 'invalid_type');
  }
  if (image === undefined) throw openAiInvalid(VARIATION_IMAGE_FIELD, 'is required: the picture to vary, as a PNG, JPEG or WebP file part', undefined, 'missing_required_parameter');

  const given = (field: string): unknown => {
    const value = input[field];
    return NUMERIC_FIELDS.has(field) && typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value;
  };
  text('user', given('user'), MAX_USER_LENGTH);
  const responseFormat = choice('response_format', given('response_format'), RESPONSE_FORMATS) ?? 'url';
  const { width, height } = sizeOf(given('size'));

  const generation: Record<string, unknown> = {
    prompt: given('prompt') ?? VARIATION_DEFAULTS.prompt,
    initImage: image,
    strength: given('strength') ?? VARIATION_DEFAULTS.strength,
    width,
    height,
    outputFormat: 'png',
  };
  if (given('model') !== undefined) generation['checkpoint'] = given('model');
  if (given('n') !== undefined) generation['numImages'] = given('n');
  for (const [field, nativeField] of Object.entries(EXTENSIONS)) if (given(field) !== undefined) generation[nativeField] = given(field);
  return { generation, responseFormat, outputFormat: 'png', width, height };
}

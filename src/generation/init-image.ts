/**
 * Image to image's init image, from a request field to the pixels the engine takes: bytes (REST
 * multipart, gRPC) or base64 / a data URL (REST JSON, GraphQL), decoded at the picture's own size
 * (the engine fits it to width × height). Generations and comparisons read it here alike.
 */
import { invalidArgument } from '../common/error-code';
import type { RgbImage } from '../engine/pipeline/decode-latents';
import { parseGenerationRequest, type GenerationInput } from '../engine/pipeline/generation-request';
import { toApiError } from '../error-mapping/to-api-error';
import { decodeImageInput, readImageBytes } from '../transports/image-input';
import { INIT_IMAGE_FIELD } from './generation.schemas';

/** A 1×1 picture for checking the other fields before the real one is decoded. */
const STAND_IN: RgbImage = { width: 1, height: 1, data: new Uint8Array(3) };

/**
 * `{}` for text to image, else `{ initImage }` decoded. Every cheaper rule is checked first, so a
 * bad request costs no decoding: the other fields (strength included) against a stand-in picture,
 * then each checkpoint's VAE encoder, then the bytes' size and type, then the pixels.
 * Throws the ApiError the transports answer, naming the field.
 */
export async function readInitImage(input: GenerationInput, checkpointIds: readonly string[], vaeEncoderProblem: (checkpointId: string) => string | null): Promise<{ initImage?: RgbImage }> {
  const value = input[INIT_IMAGE_FIELD];
  if (value === undefined || value === null) return {};
  try {
    parseGenerationRequest({ ...input, [INIT_IMAGE_FIELD]: STAND_IN });
  } catch (error) {
    throw toApiError(error);
  }
  for (const id of checkpointIds) {
    const problem = vaeEncoderProblem(id);
    if (problem !== null) throw invalidArgument(INIT_IMAGE_FIELD, `needs a checkpoint with a usable VAE encoder; checkpoint "${id}" cannot start from an image: ${problem}`);
  }
  return { initImage: await decodeImageInput(readImageBytes(value, INIT_IMAGE_FIELD), INIT_IMAGE_FIELD) };
}

/**
 * Whether a request runs with classifier-free guidance, decided here only: the scale is applied
 * when it is above 1 (at 1 or below the guided output equals the conditional one, as diffusers'
 * `do_classifier_free_guidance = guidance_scale > 1`), and then every image needs a second,
 * unconditional UNet row and the negative prompt's embedding.
 */
import type { GenerationRequest } from './generation-request';

export function usesClassifierFreeGuidance(request: Pick<GenerationRequest, 'guidanceScale'>): boolean {
  return request.guidanceScale > 1;
}

/** UNet rows per image: [uncond, cond] with guidance, [cond] without. */
export function unetRowsPerImage(request: Pick<GenerationRequest, 'guidanceScale'>): 1 | 2 {
  return usesClassifierFreeGuidance(request) ? 2 : 1;
}

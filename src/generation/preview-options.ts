/** The request's `preview` and `previewInterval`, read alike for generations and comparisons (the same rules and messages). */
import { invalidArgument } from '../common/error-code';
import type { PreviewOptions } from '../pool';
import { PREVIEW_INTERVAL_RANGE } from './generation.schemas';

/** The request's `preview` and `previewInterval` (null: the default) as the pool's preview options, or none. */
export function previewOptions(input: Readonly<Record<string, unknown>>, maxInterval: number): PreviewOptions | undefined {
  const preview = input['preview'] ?? undefined;
  const interval = input['previewInterval'] ?? undefined;
  if (preview !== undefined && typeof preview !== 'boolean') throw invalidArgument('preview', 'must be true or false');
  if (interval !== undefined) {
    if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < PREVIEW_INTERVAL_RANGE.min || interval > maxInterval) {
      throw invalidArgument('previewInterval', `must be an integer from ${PREVIEW_INTERVAL_RANGE.min} to the number of steps (${maxInterval})`);
    }
    if (preview !== true) throw invalidArgument('previewInterval', 'is for previews: send it with preview: true');
  }
  return preview === true ? { intervalSteps: interval ?? PREVIEW_INTERVAL_RANGE.default } : undefined;
}

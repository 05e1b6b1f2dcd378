/**
 * What a server-side failure may tell a client. Errors from the engine, the pool and Node carry
 * absolute paths (`/srv/models/final/unet/model.onnx`, ENOENT messages) and runtime texts; a public
 * answer names the checkpoint, the file as the checkpoint knows it and the rule, while the server's
 * log keeps the original.
 */
import { bounded } from './bounded-text';

/** The longest runtime text (an onnxruntime message's first line) an answer carries. */
const MAX_DETAIL_LENGTH = 200;

/**
 * An absolute POSIX path (after a start, space, quote, bracket, `=` or `:`) or a Windows drive path.
 * Relative names (`unet/model.onnx`), ratios (`1/8`) and words (`and/or`) do not match.
 */
const ABSOLUTE_PATH = /(^|[\s'"`([=:])(\/[^\s'"`()[\]<>,;]+|[A-Za-z]:\\[^\s'"`()[\]<>,;]+)/g;

/** Every absolute path in the text replaced by its last two segments (`…/unet/model.onnx`), which name the file within a checkpoint. */
export function withoutAbsolutePaths(text: string): string {
  return text.replace(ABSOLUTE_PATH, (_match, before: string, path: string) => {
    const segments = path.split(/[\\/]+/).filter((s) => s.length > 0);
    return `${before}…/${segments.slice(-2).join('/')}`;
  });
}

/** A runtime's message as an answer may carry it: its first line, no absolute path, bounded. */
export function publicDetail(text: string): string {
  return bounded(withoutAbsolutePaths(text.split('\n', 1)[0] ?? '').trim(), MAX_DETAIL_LENGTH);
}

/** V8's text for a stack overflow: in a request, the work was too deeply nested (JSON, variables). */
export function isStackOverflow(error: unknown): error is RangeError {
  return error instanceof RangeError && /call stack size exceeded/i.test(error.message);
}

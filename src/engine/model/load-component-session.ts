/**
 * A component's session. A UNet's attention runs one head at a time (sliced-attention.ts): the
 * graph is read, rewritten in memory and loaded from bytes, its weights still read from the
 * component's folder: those stored inside model.onnx are pointed at where they lie in that file
 * (ONNX external data with an offset), so the rewritten graph handed to onnxruntime holds no
 * weights and nothing is held twice. A graph with nothing to rewrite loads from its file unchanged.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { onnx } from 'onnx-proto';
import type { OnnxSession, RuntimeOptions } from '../runtime/onnx-runtime';
import { componentRuntime } from './component-runtime';
import type { ComponentFingerprint } from './file-fingerprints';
import type { ComponentName } from './model-directory';
import { loadOptimizedSession, type OptimizedCacheOutcome } from './optimized-model-cache';
import { sliceAttentionByHead } from './sliced-attention';

/** Weights smaller than this stay inside the rewritten graph. */
const EXTERNAL_MIN_BYTES = 1024;

export interface ComponentSession {
  readonly session: OnnxSession;
  /** Attention patterns this load rewrote to run head by head (0 when none was, or the session came from the cache). */
  readonly slicedAttentions: number;
  /** What the optimised-graph cache did (optimized-model-cache.ts). */
  readonly cache: OptimizedCacheOutcome;
}

/** The rewrite's name in the optimised-graph cache's key: change it when the rewrite changes. */
const SLICED_ATTENTION_REWRITE = 'attention-by-head-1';

/**
 * A component's session with its own options (component-runtime.ts), through the optimised-graph
 * cache when the runtime enables it; a UNet's with its attention one head at a time unless
 * `runtime.slicedAttention` is false (rewritten only when the session is not reused from the cache).
 */
export async function loadComponentSession(graphPath: string, deviceRuntime: RuntimeOptions, options: { kind: ComponentName; source?: ComponentFingerprint }): Promise<ComponentSession> {
  const runtime = componentRuntime(options.kind, deviceRuntime);
  if (options.kind === 'unet' && runtime.slicedAttention !== false) {
    let slicedAttentions = 0;
    const rewrite = {
      name: SLICED_ATTENTION_REWRITE,
      apply: (): Uint8Array | undefined => {
        const sliced = slicedGraph(graphPath);
        slicedAttentions = sliced?.count ?? 0;
        return sliced?.bytes;
      },
    };
    try {
      const loaded = await loadOptimizedSession(graphPath, runtime, options.source, rewrite);
      return { session: loaded.session, slicedAttentions, cache: loaded.cache };
    } catch {
      // A rewrite onnxruntime refuses (an unusual export): the graph loads as it was, below.
    }
  }
  const loaded = await loadOptimizedSession(graphPath, runtime, options.source);
  return { session: loaded.session, slicedAttentions: 0, cache: loaded.cache };
}

/** The rewritten graph's bytes, or undefined when there is nothing to rewrite or the file does not parse (onnxruntime then says why). */
function slicedGraph(graphPath: string): { bytes: Uint8Array; count: number } | undefined {
  try {
    const file = readFileSync(graphPath);
    const model = onnx.ModelProto.decode(file);
    const count = sliceAttentionByHead(model);
    if (count === 0) return undefined;
    pointWeightsIntoFile(model, file, basename(graphPath));
    return { bytes: onnx.ModelProto.encode(model).finish(), count };
  } catch {
    return undefined;
  }
}

/**
 * Initializers decoded from `file` are views of it: each becomes external data at its own offset
 * in that file, so the encoded graph is small and onnxruntime reads the weights from disk.
 */
function pointWeightsIntoFile(model: onnx.IModelProto, file: Buffer, fileName: string): void {
  const { EXTERNAL } = onnx.TensorProto.DataLocation;
  for (const tensor of model.graph?.initializer ?? []) {
    const raw = tensor.rawData;
    if (!raw || raw.length < EXTERNAL_MIN_BYTES || raw.buffer !== file.buffer) continue;
    const offset = raw.byteOffset - file.byteOffset;
    tensor.externalData = [
      onnx.StringStringEntryProto.create({ key: 'location', value: fileName }),
      onnx.StringStringEntryProto.create({ key: 'offset', value: String(offset) }),
      onnx.StringStringEntryProto.create({ key: 'length', value: String(raw.length) }),
    ];
    tensor.dataLocation = EXTERNAL;
    tensor.rawData = new Uint8Array(0);
  }
}

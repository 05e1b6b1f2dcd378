/**
 * Writes a complete model directory in the layout of an `optimum-cli export onnx` Stable Diffusion
 * export. Files appear atomically: everything is written to a temporary sibling directory that is
 * renamed into place at the end, so a reader never sees half a directory and concurrent writers of
 * the same config (parallel test workers) simply let the first rename win.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildTextEncoder } from './architectures/text-encoder';
import { buildAnalyticUnet } from './architectures/analytic-unet';
import { buildUnet } from './architectures/unet';
import { buildVaeDecoder, buildVaeEncoder } from './architectures/vae';
import { modelIndex, textEncoderConfig, unetConfig, vaeConfig } from './component-configs';
import { validateModelConfig, type ModelConfig } from './config/model-config';
import { encodeModel, type ModelMessage } from './onnx/onnx-proto';
import { ExternalWeightSink, InlineWeightSink, type WeightSink } from './onnx/weight-sink';
import { tokenizerFiles, trainBpe } from './tokenizer/bpe-trainer';
import { tokenizerCorpus } from './tokenizer/tokenizer-corpus';
import { removeAbandonedStaging, stagingPath } from './staging-directory';

/** Bump when generated graphs change, so directories made by an older generator are rebuilt. */
export const GENERATOR_VERSION = 2;
export const GENERATOR_MANIFEST = 'generator.json';

/** Protobuf cannot encode a message over 2 GiB; leave headroom for the graph itself. */
const INLINE_WEIGHT_LIMIT_BYTES = 1.9 * 1024 ** 3;

export function configFingerprint(config: ModelConfig): string {
  return createHash('sha256').update(JSON.stringify({ GENERATOR_VERSION, config })).digest('hex').slice(0, 16);
}

/** True when `dir` holds a complete directory generated from exactly this config. */
export function isGeneratedFrom(dir: string, config: ModelConfig): boolean {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, GENERATOR_MANIFEST), 'utf8')) as { fingerprint?: string };
    return manifest.fingerprint === configFingerprint(config);
  } catch {
    return false;
  }
}

export interface WriteResult {
  readonly dir: string;
  /** False when an identical directory was already there and was kept. */
  readonly written: boolean;
}

/** Writes `config`'s model directory at `outDir`, replacing a directory generated from another config. */
export function writeModelDirectory(config: ModelConfig, outDir: string): WriteResult {
  validateModelConfig(config);
  if (isGeneratedFrom(outDir, config)) return { dir: outDir, written: false };
  if (existsSync(outDir) && !existsSync(join(outDir, GENERATOR_MANIFEST))) {
    throw new Error(`${outDir} exists and was not made by the generator; refusing to replace it`);
  }
  mkdirSync(dirname(outDir), { recursive: true });
  removeAbandonedStaging(outDir);
  const staging = stagingPath(outDir);
  try {
    writeInto(config, staging);
    if (isGeneratedFrom(outDir, config)) return { dir: outDir, written: false };
    rmSync(outDir, { recursive: true, force: true });
    try {
      renameSync(staging, outDir);
    } catch (error) {
      // Another process finished the same directory between our check and our rename.
      if (isGeneratedFrom(outDir, config)) return { dir: outDir, written: false };
      throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { dir: outDir, written: true };
}


function writeInto(config: ModelConfig, dir: string): void {
  const json = (path: string, value: unknown): void => writeText(join(dir, path), JSON.stringify(value, null, 2) + '\n');
  json('model_index.json', modelIndex(config));
  json('scheduler/scheduler_config.json', config.scheduler);
  const bpe = trainBpe(tokenizerCorpus(), config.textEncoder.vocabSize);
  for (const [name, text] of Object.entries(tokenizerFiles(bpe, config.textEncoder.maxPositions))) {
    writeText(join(dir, 'tokenizer', name), text);
  }

  json('text_encoder/config.json', textEncoderConfig(config));
  writeGraph(join(dir, 'text_encoder'), (sink) => buildTextEncoder(config, sink));
  json('unet/config.json', unetConfig(config));
  const analytic = config.analyticUnet;
  const unet = analytic ? (sink: WeightSink) => buildAnalyticUnet(config, analytic.sampleFactor, sink) : (sink: WeightSink) => buildUnet(config, sink);
  writeGraph(join(dir, 'unet'), unet, config.unetExternalData);
  json('vae_decoder/config.json', vaeConfig(config));
  writeGraph(join(dir, 'vae_decoder'), (sink) => buildVaeDecoder(config, sink));
  if (config.withVaeEncoder) {
    json('vae_encoder/config.json', vaeConfig(config));
    writeGraph(join(dir, 'vae_encoder'), (sink) => buildVaeEncoder(config, sink));
  }
  // Written last: its presence marks the directory complete.
  json(GENERATOR_MANIFEST, { generator: 'afro-fashion-diffusion', version: GENERATOR_VERSION, fingerprint: configFingerprint(config), config });
}

function writeGraph(componentDir: string, build: (sink: WeightSink) => ModelMessage, externalData = false): void {
  mkdirSync(componentDir, { recursive: true });
  const sink = externalData ? new ExternalWeightSink(join(componentDir, 'weights.pb')) : new InlineWeightSink();
  let model: ModelMessage;
  try {
    model = build(sink);
  } finally {
    sink.close();
  }
  const inlineBytes = (model.graph?.initializer ?? []).reduce((sum, t) => sum + (t.raw_data?.byteLength ?? 0), 0);
  if (inlineBytes > INLINE_WEIGHT_LIMIT_BYTES) {
    throw new Error(`${componentDir}: ${inlineBytes} bytes of weights exceed protobuf's 2 GB limit; use external data`);
  }
  writeFileSync(join(componentDir, 'model.onnx'), encodeModel(model));
}

function writeText(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/**
 * The demo release: six checkpoint directories in the layout of an optimum export, as a training run
 * would publish them. They share byte-identical tokenizer, scheduler, text encoder, VAE encoder and
 * VAE decoder and differ only in `unet/`: the baseline knows the generic western swatches, each later checkpoint
 * knows more African textiles, `final` knows them all.
 *
 * `ensureDemoRelease` makes the release once under the models folder (`models/demo/`) and reuses it
 * while its manifest's fingerprint matches; the whole release is written to a staging sibling and
 * renamed into place, so readers never see half of it and parallel writers let the first one win.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SD14_PNDM_SCHEDULER } from '../config/model-config';
import { defaultModelsRoot } from '../ensure-model-directory';
import { encodeModel } from '../onnx/onnx-proto';
import { AFRICAN_STYLES, ATTRIBUTE_NAMES, DEMO_TEXT_WIDTH, GENERIC_STYLES, attributeWords, type DemoStyle } from './demo-attributes';
import { SEQUENCE_LENGTH, buildDemoTextEncoder, demoTokenizer } from './demo-text-encoder';
import { PRIOR_STRENGTH, RELATED_COLOUR_WEIGHT, STYLE_WEIGHT, accessoryMasks, buildDemoUnet, layoutMasks } from './demo-unet';
import { ACCESSORY_RGB, GARMENT_LAYOUTS, GROUND_RGB, sceneLayoutVariants } from './garment-layouts';
import { FULL_KNOWLEDGE, layoutPrior, type LayoutKnowledge } from './layout-prior';
import { DEMO_SCALING_FACTOR, LATENT_CHANNELS, LATENT_TO_RGB, RGB_BIAS, buildDemoVaeDecoder } from './demo-vae';
import { DEMO_ENCODER_DOWNSAMPLING, DEMO_ENCODER_LOGVAR, buildDemoVaeEncoder } from './demo-vae-encoder';
import { DEMO_SWATCHES, SWATCH_LATENT_SIZE, type Swatch } from './swatches';
import { removeAbandonedStaging, stagingPath } from '../staging-directory';

/** Bump when anything the release is made from changes (graphs, swatch drawing), so old releases are rebuilt. */
export const DEMO_RELEASE_VERSION = 4;
export const DEMO_RELEASE_MANIFEST = 'demo-release.json';
export const DEMO_RELEASE_DIRNAME = 'demo';

export interface DemoCheckpoint {
  /** Directory name inside the release. */
  readonly name: string;
  /** The training step it stands for. */
  readonly step: number;
  /** Styles its UNet knows. */
  readonly styles: readonly DemoStyle[];
  /** Which garment and length words its UNet learnt. */
  readonly knowledge: LayoutKnowledge;
}

const learnt = (count: number): DemoStyle[] => [...GENERIC_STYLES, ...AFRICAN_STYLES.slice(0, count)];

/** What the baseline knows of garments: western ones, no lengths, jewellery but no cowries. */
const WESTERN_KNOWLEDGE: LayoutKnowledge = { africanGarments: false, lengths: false, accessories: ['gold-earrings', 'beads'] };

export const DEMO_CHECKPOINTS: readonly DemoCheckpoint[] = [
  { name: 'baseline', step: 0, styles: learnt(0), knowledge: WESTERN_KNOWLEDGE },
  { name: 'checkpoint-20000', step: 20000, styles: learnt(1), knowledge: { ...WESTERN_KNOWLEDGE, africanGarments: true } },
  { name: 'checkpoint-40000', step: 40000, styles: learnt(2), knowledge: FULL_KNOWLEDGE },
  { name: 'checkpoint-60000', step: 60000, styles: learnt(3), knowledge: FULL_KNOWLEDGE },
  { name: 'checkpoint-80000', step: 80000, styles: learnt(4), knowledge: FULL_KNOWLEDGE },
  { name: 'final', step: 100000, styles: learnt(AFRICAN_STYLES.length), knowledge: FULL_KNOWLEDGE },
];

/** The swatches a checkpoint's UNet holds. */
export function checkpointSwatches(checkpoint: DemoCheckpoint): Swatch[] {
  return DEMO_SWATCHES.filter((s) => checkpoint.styles.includes(s.style));
}

export interface DemoReleaseManifest {
  readonly generator: string;
  readonly version: number;
  readonly fingerprint: string;
  readonly checkpoints: ReadonlyArray<DemoCheckpoint & { readonly swatches: readonly string[] }>;
}

/** Hash of everything the release is made from. */
export function demoFingerprint(): string {
  const inputs = {
    DEMO_RELEASE_VERSION,
    checkpoints: DEMO_CHECKPOINTS,
    swatches: DEMO_SWATCHES,
    words: [...attributeWords()],
    attributes: ATTRIBUTE_NAMES,
    width: DEMO_TEXT_WIDTH,
    prior: [PRIOR_STRENGTH, STYLE_WEIGHT, RELATED_COLOUR_WEIGHT],
    layouts: [GARMENT_LAYOUTS, GROUND_RGB, ACCESSORY_RGB, [...layoutMasks(sceneLayoutVariants())], [...accessoryMasks(sceneLayoutVariants())]],
    layoutPriors: DEMO_CHECKPOINTS.map((c) => {
      const prior = layoutPrior(c.knowledge);
      return [[...prior.weights], [...prior.bias]];
    }),
    vae: [LATENT_TO_RGB, RGB_BIAS, DEMO_SCALING_FACTOR, SWATCH_LATENT_SIZE],
    encoder: [DEMO_ENCODER_DOWNSAMPLING, DEMO_ENCODER_LOGVAR],
    scheduler: SD14_PNDM_SCHEDULER,
  };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 16);
}

export function readDemoManifest(releaseDir: string): DemoReleaseManifest | undefined {
  try {
    return JSON.parse(readFileSync(join(releaseDir, DEMO_RELEASE_MANIFEST), 'utf8')) as DemoReleaseManifest;
  } catch {
    return undefined;
  }
}

/** True when `releaseDir` holds a complete release made from the current sources. */
export function isDemoReleaseCurrent(releaseDir: string): boolean {
  return readDemoManifest(releaseDir)?.fingerprint === demoFingerprint();
}

const DIFFUSERS_VERSION = '0.30.0';

function modelIndex(): Record<string, unknown> {
  const onnx = ['diffusers', 'OnnxRuntimeModel'];
  return {
    _class_name: 'OnnxStableDiffusionPipeline',
    _diffusers_version: DIFFUSERS_VERSION,
    feature_extractor: [null, null],
    requires_safety_checker: false,
    safety_checker: [null, null],
    scheduler: ['diffusers', String(SD14_PNDM_SCHEDULER['_class_name'])],
    text_encoder: onnx,
    tokenizer: ['transformers', 'CLIPTokenizer'],
    unet: onnx,
    vae_decoder: onnx,
    vae_encoder: onnx,
  };
}

function textEncoderConfig(vocabSize: number): Record<string, unknown> {
  return {
    architectures: ['CLIPTextModel'],
    model_type: 'clip_text_model',
    hidden_size: DEMO_TEXT_WIDTH,
    num_hidden_layers: 0,
    max_position_embeddings: SEQUENCE_LENGTH,
    vocab_size: vocabSize,
    torch_dtype: 'float32',
    demo_attributes: ATTRIBUTE_NAMES,
  };
}

function unetConfig(checkpoint: DemoCheckpoint, swatches: readonly Swatch[]): Record<string, unknown> {
  return {
    _class_name: 'UNet2DConditionModel',
    _diffusers_version: DIFFUSERS_VERSION,
    in_channels: LATENT_CHANNELS,
    out_channels: LATENT_CHANNELS,
    cross_attention_dim: DEMO_TEXT_WIDTH,
    sample_size: SWATCH_LATENT_SIZE,
    demo_checkpoint: checkpoint.name,
    demo_step: checkpoint.step,
    demo_styles: checkpoint.styles,
    demo_layout_knowledge: checkpoint.knowledge,
    demo_swatches: swatches.map((s) => s.id),
  };
}

function vaeConfig(): Record<string, unknown> {
  return {
    _class_name: 'AutoencoderKL',
    _diffusers_version: DIFFUSERS_VERSION,
    in_channels: 3,
    out_channels: 3,
    latent_channels: LATENT_CHANNELS,
    scaling_factor: DEMO_SCALING_FACTOR,
  };
}

function writeFile(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

const jsonText = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';

/**
 * Writes the six checkpoint directories and the release manifest into `rootDir` (created if needed;
 * existing files there are overwritten). Returns the manifest.
 */
export function writeDemoRelease(rootDir: string): DemoReleaseManifest {
  const tokens = demoTokenizer();
  const shared: Record<string, string | Uint8Array> = {
    'model_index.json': jsonText(modelIndex()),
    'scheduler/scheduler_config.json': jsonText(SD14_PNDM_SCHEDULER),
    'text_encoder/config.json': jsonText(textEncoderConfig(tokens.bpe.vocab.size)),
    'text_encoder/model.onnx': encodeModel(buildDemoTextEncoder(tokens)),
    'vae_decoder/config.json': jsonText(vaeConfig()),
    'vae_decoder/model.onnx': encodeModel(buildDemoVaeDecoder()),
    'vae_encoder/config.json': jsonText(vaeConfig()),
    'vae_encoder/model.onnx': encodeModel(buildDemoVaeEncoder()),
  };
  for (const [name, text] of Object.entries(tokens.files)) shared[`tokenizer/${name}`] = text;

  const checkpoints = DEMO_CHECKPOINTS.map((checkpoint) => {
    const dir = join(rootDir, checkpoint.name);
    const swatches = checkpointSwatches(checkpoint);
    for (const [path, data] of Object.entries(shared)) writeFile(join(dir, path), data);
    writeFile(join(dir, 'unet/config.json'), jsonText(unetConfig(checkpoint, swatches)));
    writeFile(join(dir, 'unet/model.onnx'), encodeModel(buildDemoUnet(swatches, { knowledge: checkpoint.knowledge })));
    return { ...checkpoint, swatches: swatches.map((s) => s.id) };
  });
  const manifest: DemoReleaseManifest = { generator: 'afro-fashion-diffusion demo', version: DEMO_RELEASE_VERSION, fingerprint: demoFingerprint(), checkpoints };
  // Written last: its presence marks the release complete.
  writeFile(join(rootDir, DEMO_RELEASE_MANIFEST), jsonText(manifest));
  return manifest;
}

/** The release under `modelsRoot` (default: the repository's models/ folder), generated first when missing or stale. */
export function ensureDemoRelease(modelsRoot = defaultModelsRoot()): string {
  const outDir = join(modelsRoot, DEMO_RELEASE_DIRNAME);
  if (isDemoReleaseCurrent(outDir)) return outDir;
  if (existsSync(outDir) && !existsSync(join(outDir, DEMO_RELEASE_MANIFEST))) {
    throw new Error(`${outDir} exists and was not made by the demo generator; refusing to replace it`);
  }
  mkdirSync(modelsRoot, { recursive: true });
  removeAbandonedStaging(outDir);
  const staging = stagingPath(outDir);
  try {
    writeDemoRelease(staging);
    if (isDemoReleaseCurrent(outDir)) return outDir;
    rmSync(outDir, { recursive: true, force: true });
    try {
      renameSync(staging, outDir);
    } catch (error) {
      // Another process put the same release in place between our check and our rename.
      if (isDemoReleaseCurrent(outDir)) return outDir;
      throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return outDir;
}

/** The directory of one checkpoint of a release. */
export function demoCheckpointDir(releaseDir: string, name: string): string {
  if (!DEMO_CHECKPOINTS.some((c) => c.name === name)) throw new Error(`demo release has no checkpoint "${name}"`);
  return join(releaseDir, name);
}

/**
 * What the pool knows about each checkpoint before any worker starts (its registration): its
 * directory is read and checked, each component folder is hashed (its content address) and
 * sized (the folder's file bytes: its memory cost until a load measures it), and every file the workers will read gets a
 * fingerprint (size, mtime, sha256) that each load verifies (see file-fingerprints.ts). All of it
 * comes from one streaming read of each file, off the event loop's critical path.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { imageSizeMultiple, unetSizeGranularity } from '../../engine/model/unet-size-granularity';
import { fingerprintComponent, fingerprintFile, type FileFingerprint } from '../../engine/model/file-fingerprints';
import { COMPONENTS, readModelDirectory, type ComponentName } from '../../engine/model/model-directory';
import { checkVaeEncoder } from '../../engine/model/vae-encoder-graph';
import type { CheckpointConfig } from './pool-config';
import type { CheckpointSpec, ComponentSpec } from '../protocol/protocol';

/** Files outside the component folders that a worker reads (the tokenizer folder comes on top). */
const METADATA_FILES = ['model_index.json', 'scheduler/scheduler_config.json'];

/** Throws a ModelDirectoryError naming the file when the directory is broken. */
export async function describeCheckpoint(config: Required<CheckpointConfig>): Promise<CheckpointSpec> {
  const directory = readModelDirectory(config.dir);
  const components = {} as Record<ComponentName, ComponentSpec>;
  for (const kind of COMPONENTS) {
    const { hash, files } = await fingerprintComponent(config.dir, kind);
    components[kind] = { kind, hash, bytes: folderBytes(join(config.dir, kind)), graphPath: directory.graphs[kind], files };
  }
  // Optional: a checkpoint without a usable encoder serves text to image and says why it cannot do image to image.
  const imageToImageProblem = checkVaeEncoder(directory.vaeEncoderGraph);
  let vaeEncoder: ComponentSpec | null = null;
  if (imageToImageProblem === null && directory.vaeEncoderGraph !== null) {
    const { hash, files } = await fingerprintComponent(config.dir, 'vae_encoder');
    vaeEncoder = { kind: 'vae_encoder', hash, bytes: folderBytes(join(config.dir, 'vae_encoder')), graphPath: directory.vaeEncoderGraph, files };
  }
  const tokenizer = await fingerprintComponent(config.dir, 'tokenizer');
  const files: FileFingerprint[] = [...tokenizer.files];
  for (const path of METADATA_FILES) if (existsSync(join(config.dir, path))) files.push(await fingerprintFile(config.dir, path));
  const sizeMultiple = unetImageSizeMultiple(directory.graphs.unet);
  return { id: config.id, dir: config.dir, pinned: config.pinned, components, vaeEncoder, imageToImageProblem, tokenizerHash: tokenizer.hash, files, sizeMultiple };
}

/**
 * The UNet's size multiple. A graph the walk cannot read gets 8 (whole latents): loading it will
 * report what is wrong with it, naming the file, as for any broken graph.
 */
function unetImageSizeMultiple(graphPath: string): number {
  try {
    return imageSizeMultiple(unetSizeGranularity(graphPath));
  } catch {
    return 8;
  }
}

/** Sum of the sizes of the files directly in `folder` (the same files the content hash covers). */
export function folderBytes(folder: string): number {
  let total = 0;
  for (const name of readdirSync(folder)) {
    const stat = statSync(join(folder, name));
    if (stat.isFile()) total += stat.size;
  }
  return total;
}

/**
 * Generation on demand: tests, benchmarks and `npm start` ask for a config and get a directory,
 * made once into the git-ignored models folder and reused while the generator and config match.
 */
import { join, resolve } from 'node:path';
import type { ModelConfig } from './config/model-config';
import { directoryName } from './generator-options';
import { writeModelDirectory } from './write-model-directory';

/** `AFD_MODELS_DIR`, or `models/` at the repository root (the same from src/ under Jest and from dist/). */
export function defaultModelsRoot(): string {
  return process.env['AFD_MODELS_DIR'] ?? resolve(__dirname, '..', '..', 'models');
}

export function generatedModelPath(config: ModelConfig, root = defaultModelsRoot()): string {
  return join(root, 'generated', directoryName(config));
}

/** The directory for `config`, generating it first when it is missing or was made from another config. */
export function ensureModelDirectory(config: ModelConfig, root = defaultModelsRoot()): string {
  return writeModelDirectory(config, generatedModelPath(config, root)).dir;
}

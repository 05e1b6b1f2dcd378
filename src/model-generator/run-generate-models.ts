/** The `models:generate` command, as a function of its arguments so tests can drive it. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TIMESTEP_SIGNATURES, type TimestepSignature } from './config/model-config';
import { configFromOptions, presetNames } from './generator-options';
import { writeModelDirectory } from './write-model-directory';

const USAGE = `usage: npm run models:generate -- --preset ${presetNames().join('|')} --out DIR [options]
  --fp16              float16 weights, inputs and outputs
  --external-data     UNet weights in unet/weights.pb (always on for sd15-shaped)
  --timestep SIG      UNet timestep input: ${TIMESTEP_SIGNATURES.join(' | ')} (default float-batch)
  --vae-encoder       also write vae_encoder/
  --seed N            weight seed, 0..4294967295 (default 0)`;

/** Returns the exit code: 0 written or already up to date, 1 generation failed, 2 bad arguments. */
export function runGenerateModels(argv: readonly string[], print: (line: string) => void): number {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        preset: { type: 'string' },
        out: { type: 'string' },
        fp16: { type: 'boolean' },
        'external-data': { type: 'boolean' },
        timestep: { type: 'string' },
        'vae-encoder': { type: 'boolean' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    print(`models:generate: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    print(USAGE);
    return 0;
  }
  if (!values.preset || !values.out) {
    print(`models:generate: --preset and --out are required\n${USAGE}`);
    return 2;
  }
  let config;
  try {
    config = configFromOptions({
      preset: values.preset,
      float16: values.fp16,
      unetExternalData: values['external-data'],
      timestep: values.timestep as TimestepSignature | undefined,
      vaeEncoder: values['vae-encoder'],
      seed: values.seed === undefined ? undefined : parseSeedOption(values.seed),
    });
  } catch (error) {
    print(`models:generate: ${(error as Error).message}`);
    return 2;
  }
  const out = resolve(values.out);
  try {
    const started = Date.now();
    const { written } = writeModelDirectory(config, out);
    print(written ? `wrote ${config.preset} model directory to ${out} in ${Date.now() - started} ms` : `${out} is already up to date`);
    return 0;
  } catch (error) {
    print(`models:generate: ${(error as Error).message}`);
    return 1;
  }
}

function parseSeedOption(text: string): number {
  return /^\d{1,10}$/.test(text) ? Number(text) : Number.NaN;
}

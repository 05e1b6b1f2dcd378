import { TINY_PRESET } from '../../model-generator/config/presets';
import { ensureModelDirectory } from '../../model-generator/ensure-model-directory';
import { copyWithNaNUnetWeights, type CorruptCopy } from '../../model-generator/testing/corrupt-weights.fixture';
import { ModelFailedError } from '../errors';
import type { TensorRunner } from '../runtime/onnx-runtime';
import type { Tensor } from '../runtime/tensor';
import { decodeLatents, decodeLatentsEach, type RgbImage } from './decode-latents';
import { denoiseStep } from './denoise-step';
import { encodePrompts } from './encode-prompts';
import { parseGenerationRequest } from './generation-request';
import { firstNonFinite, NonFiniteOutputError } from './non-finite';
import { StableDiffusionPipeline } from './stable-diffusion-pipeline';

const RUNTIME = { device: 'cpu', intraOpThreads: 1 } as const;

/** The real session, with one output's values in [start, end) (per call) replaced by `value`. */
function poisoned(inner: TensorRunner, output: string, start: number, end: number, value = Number.NaN): TensorRunner {
  return {
    run: async (feeds) => {
      const result = await inner.run(feeds);
      const t = result[output] as Tensor<'float32'>;
      const data = Float32Array.from(t.data);
      data.fill(value, start, end);
      return { ...result, [output]: { ...t, data } };
    },
  };
}

describe('firstNonFinite', () => {
  it('finds NaN, +Inf and -Inf and only inside the range asked', () => {
    const values = Float32Array.from([0, -0, 1e-45, 3.4e38, -3.4e38, Number.NaN, 1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(firstNonFinite(values)).toBe(5);
    expect(firstNonFinite(values, 0, 5)).toBe(-1);
    expect(firstNonFinite(values, 6)).toBe(7);
    expect(firstNonFinite(values, 8)).toBe(8);
    expect(firstNonFinite(values, 6, 7)).toBe(-1);
    expect(firstNonFinite(new Float32Array(0))).toBe(-1);
  });
});

describe('non-finite model outputs on the tiny preset', () => {
  let pipeline: StableDiffusionPipeline;
  let corrupt: CorruptCopy;
  beforeAll(async () => {
    pipeline = await StableDiffusionPipeline.load(ensureModelDirectory(TINY_PRESET), RUNTIME);
    corrupt = copyWithNaNUnetWeights(ensureModelDirectory({ ...TINY_PRESET, unetExternalData: true }));
  });
  afterAll(async () => {
    await pipeline?.release();
    corrupt?.remove();
  });

  const request = (seed: number) => parseGenerationRequest({ prompt: 'a red kente dress', negativePrompt: 'blurry', width: 64, height: 64, steps: 3, seed, guidanceScale: 5, scheduler: 'euler' });
  async function sequencesFor(seed: number) {
    const { cond, uncond } = await pipeline.encodeRequest(request(seed));
    return pipeline.createSequences(request(seed), { cond, uncond }, `seed-${seed}`);
  }

  it('a UNet row that comes back NaN stops only its own sequence; the others step exactly as alone', async () => {
    const { unet, signature } = pipeline.model;
    const [alone] = await sequencesFor(1);
    expect(await denoiseStep([alone!], unet, signature)).toEqual([]);

    const [healthy] = await sequencesFor(1);
    const [broken] = await sequencesFor(2);
    const latentSize = healthy!.latents.length;
    // Rows: [healthy uncond, healthy cond, broken uncond, broken cond]; one value of broken's cond row is NaN.
    const failures = await denoiseStep([healthy!, broken!], poisoned(unet, 'out_sample', 3 * latentSize + 7, 3 * latentSize + 8), signature);

    expect(failures).toHaveLength(1);
    expect(failures[0]!.sequence).toBe(broken);
    expect(failures[0]!.error).toBeInstanceOf(NonFiniteOutputError);
    expect(failures[0]!.error).toBeInstanceOf(ModelFailedError);
    expect(failures[0]!.error.message).toBe('unet produced non-finite values (NaN) at step 1 of 3');
    expect(broken!.stepIndex).toBe(0);
    expect(healthy!.stepIndex).toBe(1);
    expect(Buffer.from(healthy!.latents.buffer)).toEqual(Buffer.from(alone!.latents.buffer));
  });

  it('an image whose VAE output holds Inf is refused on its own; the other image of the call decodes as alone', async () => {
    const { vaeDecoder, signature, directory } = pipeline.model;
    const [a, b] = [...(await sequencesFor(3)), ...(await sequencesFor(4))];
    const shape = a!.latentShape;
    const [aloneImage] = await decodeLatents([a!.latents], shape, vaeDecoder, signature, directory.vaeScalingFactor);
    const pixelsPerImage = 3 * 64 * 64;
    const decoded = await decodeLatentsEach(
      [a!.latents, b!.latents],
      shape,
      poisoned(vaeDecoder, 'sample', pixelsPerImage + 5, pixelsPerImage + 6, Number.POSITIVE_INFINITY),
      signature,
      directory.vaeScalingFactor,
    );
    expect(Buffer.from((decoded[0] as RgbImage).data)).toEqual(Buffer.from(aloneImage!.data));
    expect(decoded[1]).toBeInstanceOf(NonFiniteOutputError);
    expect((decoded[1] as NonFiniteOutputError).message).toBe('vae_decoder produced non-finite values (Infinity) when decoding the latents');
  });

  it('a prompt whose text-encoder states hold -Inf is flagged; the other prompt of the call keeps its states', async () => {
    const { textEncoder, signature, directory } = pipeline.model;
    const alone = await encodePrompts(['a red kente dress'], directory.tokenizer, textEncoder, signature);
    const block = signature.sequenceLength * signature.contextWidth;
    const encoded = await encodePrompts(['a red kente dress', 'blurry'], directory.tokenizer, poisoned(textEncoder, 'last_hidden_state', block, block + 1, Number.NEGATIVE_INFINITY), signature);
    expect(encoded.nonFinite[0]).toBeUndefined();
    expect(encoded.states[0]).toEqual(alone.states[0]);
    expect(encoded.nonFinite[1]?.message).toBe('text_encoder produced non-finite values (-Infinity) for prompt 2 of 2');
  });

  it('a UNet whose weights file was overwritten with NaN fails the generation instead of answering a black image', async () => {
    const broken = await StableDiffusionPipeline.load(corrupt.dir, RUNTIME);
    try {
      await expect(broken.generate(request(1))).rejects.toThrow('unet produced non-finite values (NaN) at step 1 of 3');
    } finally {
      await broken.release();
    }
  });
});

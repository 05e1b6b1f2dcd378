import sharp from 'sharp';
import { encodeImage } from './encode-image';
import { formatGenerationParameters, type GenerationParameters } from './generation-parameters';
import { crc32, readPngTextChunks } from './png-text-chunk';

const image = {
  width: 4,
  height: 2,
  data: Uint8Array.from({ length: 4 * 2 * 3 }, (_, i) => (i * 37) % 256),
};

const parameters: GenerationParameters = {
  prompt: 'a red kente dress, woman',
  negativePrompt: 'blurry',
  steps: 20,
  scheduler: 'euler-a',
  guidanceScale: 7.5,
  seed: 18446744073709551615n,
  width: 512,
  height: 512,
  checkpointId: 'final',
  checkpointHash: '1a2b3c4d5e6f7a8b9c0d',
};

describe('generation parameters text', () => {
  it('follows the AUTOMATIC1111 web UI layout', () => {
    expect(formatGenerationParameters(parameters)).toBe(
      'a red kente dress, woman\nNegative prompt: blurry\n' +
        'Steps: 20, Sampler: Euler a, CFG scale: 7.5, Seed: 18446744073709551615, Size: 512x512, Model hash: 1a2b3c4d5e, Model: final',
    );
  });

  it('names the emphasis only when it is no-norm, as the web UI does', () => {
    expect(formatGenerationParameters({ ...parameters, emphasis: 'original' })).not.toContain('Emphasis');
    expect(formatGenerationParameters({ ...parameters, emphasis: 'no-norm' })).toMatch(/, Model: final, Emphasis: No norm$/);
  });

  it('omits an empty negative prompt and quotes values with separators', () => {
    const text = formatGenerationParameters({ ...parameters, negativePrompt: '', checkpointId: 'ckpt, 20k' });
    expect(text.split('\n')).toHaveLength(2);
    expect(text).toContain('Model: "ckpt, 20k"');
  });
});

describe('encodeImage', () => {
  it('writes a lossless PNG carrying the parameters chunk', async () => {
    const text = formatGenerationParameters(parameters);
    const png = await encodeImage(image, { format: 'png', parameters: text });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([4, 2, 3]);
    expect(Buffer.from(data).equals(Buffer.from(image.data))).toBe(true);
    expect(readPngTextChunks(png).get('parameters')).toBe(text);
    // Every chunk's CRC is valid, or strict readers would reject the file.
    for (let at = 8; at < png.length; ) {
      const length = png.readUInt32BE(at);
      expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
      at += 12 + length;
    }
  });

  it('stores non-Latin-1 prompts as UTF-8 iTXt', async () => {
    const text = formatGenerationParameters({ ...parameters, prompt: 'pagne wax 🌺 オレンジ' });
    const png = await encodeImage(image, { format: 'png', parameters: text });
    expect(png.includes(Buffer.from('iTXt'))).toBe(true);
    expect(readPngTextChunks(png).get('parameters')).toBe(text);
  });

  it.each(['jpeg', 'webp'] as const)('writes %s with the parameters in EXIF, smaller at lower quality', async (format) => {
    const big = { width: 64, height: 64, data: Uint8Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 7919) % 251) };
    const high = await encodeImage(big, { format, quality: 95, parameters: 'a red kente dress' });
    const low = await encodeImage(big, { format, quality: 10 });
    const meta = await sharp(high).metadata();
    expect(meta.format).toBe(format);
    expect(meta.exif?.includes(Buffer.from('a red kente dress'))).toBe(true);
    expect(low.length).toBeLessThan(high.length);
  });

  it.each([0, 101, 50.5])('rejects quality %p naming the field', async (quality) => {
    await expect(encodeImage(image, { format: 'jpeg', quality })).rejects.toThrow(/^quality: must be an integer from 1 to 100/);
  });
});

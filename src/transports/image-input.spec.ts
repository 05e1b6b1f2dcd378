import sharp from 'sharp';
import { crc32, deflateSync } from 'node:zlib';
import { ApiError, ErrorCode } from '../common/error-code';
import { decodeImageInput, MAX_IMAGE_INPUT_BYTES, readImageBytes, sniffImageFormat } from './image-input';

const solid = (format: 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff', width = 32, height = 24): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 40 } } })
    .toFormat(format)
    .toBuffer();

/** A valid PNG whose header claims width × height, with one tiny (short) IDAT: a decompression bomb's header. */
function pngClaiming(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(64))), chunk('IEND', Buffer.alloc(0))]);
}

async function apiError(promise: Promise<unknown> | (() => unknown)): Promise<ApiError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error('expected an ApiError');
}

describe('readImageBytes', () => {
  it('takes bytes, base64 and base64 data URLs', async () => {
    const png = await solid('png');
    expect(readImageBytes(png, 'referenceImage').equals(png)).toBe(true);
    expect(readImageBytes(new Uint8Array(png), 'referenceImage').equals(png)).toBe(true);
    expect(readImageBytes(png.toString('base64'), 'referenceImage').equals(png)).toBe(true);
    expect(readImageBytes(`data:image/png;base64,${png.toString('base64')}`, 'referenceImage').equals(png)).toBe(true);
    // Line-wrapped base64 (MIME style) and unpadded base64url are read too.
    expect(readImageBytes(png.toString('base64').replace(/(.{60})/g, '$1\n'), 'referenceImage').equals(png)).toBe(true);
    expect(readImageBytes(png.toString('base64url'), 'referenceImage').equals(png)).toBe(true);
  });

  it.each([
    [42, /must be a base64 string/],
    ['', /must not be empty/],
    ['not base64!', /must be base64-encoded/],
    ['data:image/png,abc', /must be a base64 data URL/],
    ['data:image/gif;base64,R0lGODlh', /must be a PNG, JPEG or WebP image \(the data URL says image\/gif\)/],
    ['data:image/svg+xml;base64,PHN2Zz4=', /the data URL says image\/svg\+xml/],
  ])('refuses %j with INVALID_ARGUMENT naming the field', async (value, message) => {
    const error = await apiError(() => readImageBytes(value, 'referenceImageBase64'));
    expect(error.code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(error.details).toMatchObject({ field: 'referenceImageBase64' });
    expect(error.message).toMatch(/^referenceImageBase64: /);
    expect(error.message).toMatch(message);
  });

  it('refuses more than 8 MiB with TOO_LARGE, before decoding base64 that long', async () => {
    const bytes = await apiError(() => readImageBytes(Buffer.alloc(MAX_IMAGE_INPUT_BYTES + 1), 'referenceImage'));
    expect(bytes).toMatchObject({ code: ErrorCode.TOO_LARGE, details: { field: 'referenceImage', rule: 'size limit' } });
    expect(bytes.message).toMatch(/^referenceImage: must be at most 8 MiB/);
    const text = await apiError(() => readImageBytes('A'.repeat(12 * 1024 * 1024), 'referenceImage'));
    expect(text.code).toBe(ErrorCode.TOO_LARGE);
    expect(readImageBytes(Buffer.alloc(MAX_IMAGE_INPUT_BYTES, 1), 'referenceImage').length).toBe(MAX_IMAGE_INPUT_BYTES);
  });
});

describe('sniffImageFormat', () => {
  it('tells the accepted formats by their signature and names the others', async () => {
    expect(sniffImageFormat(await solid('png'))).toEqual({ format: 'png' });
    expect(sniffImageFormat(await solid('jpeg'))).toEqual({ format: 'jpeg' });
    expect(sniffImageFormat(await solid('webp'))).toEqual({ format: 'webp' });
    expect(sniffImageFormat(await solid('gif'))).toEqual({ format: null, looksLike: 'GIF' });
    expect(sniffImageFormat(await solid('tiff'))).toEqual({ format: null, looksLike: 'TIFF' });
    expect(sniffImageFormat(Buffer.from('\uFEFF  <?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'))).toEqual({ format: null, looksLike: 'SVG' });
    expect(sniffImageFormat(Buffer.from('hello'))).toEqual({ format: null, looksLike: 'unrecognised data' });
  });
});

describe('decodeImageInput', () => {
  it.each(['png', 'jpeg', 'webp'] as const)('scales a %s to cover the cell size as RGB pixels', async (format) => {
    const image = await decodeImageInput(await solid(format, 40, 20), 'referenceImage', { width: 16, height: 12 });
    expect([image.width, image.height, image.data.length]).toEqual([16, 12, 16 * 12 * 3]);
    const [r, g, b] = image.data;
    expect(Math.abs((r as number) - 200)).toBeLessThan(12);
    expect(Math.abs((g as number) - 30)).toBeLessThan(12);
    expect(Math.abs((b as number) - 40)).toBeLessThan(12);
  });

  it('covers the cell (crops the centre), flattens alpha onto white and makes greyscale RGB', async () => {
    // Left half black, right half white, 40 × 20, into a square cell: cover keeps the middle 20 × 20.
    const halves = Buffer.alloc(40 * 20 * 3);
    for (let y = 0; y < 20; y++) for (let x = 20; x < 40; x++) halves.fill(255, (y * 40 + x) * 3, (y * 40 + x) * 3 + 3);
    const png = await sharp(halves, { raw: { width: 40, height: 20, channels: 3 } }).png().toBuffer();
    const covered = await decodeImageInput(png, 'referenceImage', { width: 10, height: 10 });
    expect(covered.data[(5 * 10 + 0) * 3]).toBeLessThan(40); // the left edge is still black...
    expect(covered.data[(5 * 10 + 9) * 3]).toBeGreaterThan(215); // ...and the right edge white: no letterbox

    const transparent = await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    expect([...(await decodeImageInput(transparent, 'referenceImage', { width: 4, height: 4 })).data.subarray(0, 3)]).toEqual([255, 255, 255]);

    const grey = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).toColourspace('b-w').png().toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(1);
    expect((await decodeImageInput(grey, 'referenceImage', { width: 4, height: 4 })).data.length).toBe(4 * 4 * 3);
  });

  it('without a size to cover, keeps the image at its own (oriented) size: an init image', async () => {
    const image = await decodeImageInput(await solid('png', 40, 20), 'initImage');
    expect([image.width, image.height, image.data.length]).toEqual([40, 20, 40 * 20 * 3]);
    const top = Buffer.alloc(20 * 10 * 3, 255);
    const jpeg = await sharp(top, { raw: { width: 20, height: 10, channels: 3 } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const portrait = await decodeImageInput(jpeg, 'initImage');
    expect([portrait.width, portrait.height]).toEqual([10, 20]);
  });

  it('keeps only the pixels: EXIF orientation is applied and the metadata dropped', async () => {
    // 20 × 10 stored, EXIF orientation 6 (rotate 90°): it displays as 10 × 20, a portrait.
    const top = Buffer.alloc(20 * 10 * 3, 255);
    top.fill(0, 0, 20 * 3); // the stored top row is black
    const jpeg = await sharp(top, { raw: { width: 20, height: 10, channels: 3 } })
      .jpeg()
      .withMetadata({ orientation: 6, exif: { IFD0: { Copyright: 'secret', Artist: 'someone' } } })
      .toBuffer();
    expect((await sharp(jpeg).metadata()).exif).toBeDefined();
    const image = await decodeImageInput(jpeg, 'referenceImage', { width: 10, height: 20 });
    // Rotated 90° clockwise, the stored top row becomes the right column.
    expect(image.data[(10 * 10 + 9) * 3]).toBeLessThan(60);
    expect(image.data[(10 * 10 + 0) * 3]).toBeGreaterThan(200);
    expect(Buffer.from(image.data).includes('secret')).toBe(false);
  });

  it.each([
    ['a GIF', () => solid('gif'), /must be a PNG, JPEG or WebP image, got GIF/],
    ['a TIFF', () => solid('tiff'), /got TIFF/],
    ['an SVG', async () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>'), /got SVG/],
    ['garbage', async () => Buffer.from('definitely not an image'), /got unrecognised data/],
    ['a truncated PNG', async () => (await solid('png', 64, 64)).subarray(0, 60), /could not be decoded as PNG/],
    ['a PNG signature on garbage', async () => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('garbage')]), /could not be decoded as PNG/],
  ])('refuses %s with INVALID_ARGUMENT naming referenceImage', async (_name, make, message) => {
    const error = await apiError(decodeImageInput(await make(), 'referenceImage', { width: 8, height: 8 }));
    expect(error.code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(error.details).toMatchObject({ field: 'referenceImage' });
    expect(error.message).toMatch(/^referenceImage: /);
    expect(error.message).toMatch(message);
  });

  it('refuses a decompression bomb (more than 4096 × 4096 pixels) from its header, with TOO_LARGE', async () => {
    const bomb = pngClaiming(20_000, 20_000);
    expect(bomb.length).toBeLessThan(200);
    const error = await apiError(decodeImageInput(bomb, 'referenceImage', { width: 8, height: 8 }));
    expect(error).toMatchObject({ code: ErrorCode.TOO_LARGE, details: { field: 'referenceImage', rule: 'pixel limit' } });
    expect(error.message).toMatch(/at most 16,777,216 pixels \(4096 × 4096\), got 20000 × 20000/);
  });
});

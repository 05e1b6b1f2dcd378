import { randomBytes } from 'node:crypto';
import { ApiError, ErrorCode } from '../common/error-code';
import { encodeImage } from '../engine/image/encode-image';
import { renderComparisonGrid } from './comparison-grid';
import { checkReplySize, DEFAULT_CLIENT_RECEIVE_LIMIT, worstCasePngBytes, worstCaseReplyBytes } from './comparison-size';

const noise = (width: number, height: number) => ({ width, height, data: new Uint8Array(randomBytes(width * height * 3)) });

describe('comparison reply size', () => {
  it('bounds the PNG of pixels that do not compress, parameters chunk included', async () => {
    const prompt = 'ü'.repeat(4000);
    const png = await encodeImage(noise(96, 64), { format: 'png', parameters: `${prompt}\nSteps: 1, Sampler: PNDM, CFG scale: 7.5, Seed: 1, Size: 96x64, Model: final` });
    expect(png.length).toBeLessThanOrEqual(worstCasePngBytes(96, 64) + Buffer.byteLength(prompt));
  });

  it('bounds a whole reply: cells and the labelled grid of noise', async () => {
    const shape = { rows: 2, columns: 3, width: 128, height: 128, hasReference: true, promptBytes: 20 };
    const cells = [0, 1].map(() => [0, 1, 2].map(() => noise(128, 128)));
    const encoded = await Promise.all(cells.flat().map((c) => encodeImage(c, { format: 'png', parameters: 'red kente dress, 20 bytes' })));
    const grid = await renderComparisonGrid({
      columns: [{ title: 'a' }, { title: 'b' }, { title: 'c' }],
      rowTitles: ['red kente dress', 'blue wax'],
      cells,
      reference: { image: noise(128, 128) },
    });
    const actual = encoded.reduce((n, b) => n + b.length, 0) + grid.length;
    expect(actual).toBeLessThanOrEqual(worstCaseReplyBytes(shape));
    // Worst case, not wildly more: within 25% of what noise really costs.
    expect(worstCaseReplyBytes(shape)).toBeLessThan(actual * 1.25);
  });

  it('refuses, before any work, a comparison whose reply could pass the client limit, naming the rule and the ways out', () => {
    const big = { rows: 4, columns: 6, width: 512, height: 512, hasReference: false, promptBytes: 40 };
    let error: unknown;
    try {
      checkReplySize(big, DEFAULT_CLIENT_RECEIVE_LIMIT);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: ErrorCode.TOO_LARGE, details: { field: 'request', rule: 'reply size' } });
    expect((error as Error).message).toMatch(/^request: the reply could reach \d+\.\d MiB \(24 cells of 512x512 and the grid, as PNG\), over the 4\.0 MiB this client accepts; compare fewer/);
    expect(() => checkReplySize({ ...big, rows: 1, columns: 2, width: 256, height: 256 }, DEFAULT_CLIENT_RECEIVE_LIMIT)).not.toThrow();
  });
});

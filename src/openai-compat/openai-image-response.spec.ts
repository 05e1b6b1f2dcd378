import type { GenerationRecord } from '../generation/generation-store';
import { imagesResponse, requestOrigin } from './openai-image-response';

const record: GenerationRecord = {
  id: '01JF3Z8M6Q2W5T9X0A1B2C3D4E',
  checkpointId: 'final',
  createdAt: 1_765_100_000_999,
  status: 'succeeded',
  progress: { step: 2, totalSteps: 2, etaMs: 0 },
  images: [
    { index: 0, seed: '7', mimeType: 'image/png', bytes: Buffer.from('first') },
    { index: 1, seed: '8', mimeType: 'image/png', bytes: Buffer.from('second') },
  ],
};

describe('imagesResponse', () => {
  const ask = { generation: {}, outputFormat: 'png', width: 128, height: 64 } as const;

  it("answers OpenAI's shape with absolute image URLs, or the bytes in base64, each with its seed", () => {
    expect(imagesResponse(record, { ...ask, responseFormat: 'url' }, 'https://api.example.com')).toEqual({
      created: 1_765_100_000,
      data: [
        { url: 'https://api.example.com/v1/generations/01JF3Z8M6Q2W5T9X0A1B2C3D4E/images/0', seed: '7' },
        { url: 'https://api.example.com/v1/generations/01JF3Z8M6Q2W5T9X0A1B2C3D4E/images/1', seed: '8' },
      ],
      background: 'opaque',
      output_format: 'png',
      size: '128x64',
    });
    expect(imagesResponse(record, { ...ask, responseFormat: 'b64_json' }, '').data).toEqual([
      { b64_json: Buffer.from('first').toString('base64'), seed: '7' },
      { b64_json: Buffer.from('second').toString('base64'), seed: '8' },
    ]);
  });
});

describe('requestOrigin', () => {
  it('is scheme and host as the client reached the server', () => {
    expect(requestOrigin({ protocol: 'http', host: '127.0.0.1:8080' })).toBe('http://127.0.0.1:8080');
    expect(requestOrigin({ protocol: 'https', host: 'api.example.com' })).toBe('https://api.example.com');
    expect(requestOrigin({ protocol: 'http', host: '[::1]:8080' })).toBe('http://[::1]:8080');
  });

  it('is empty (relative URLs) for a Host that is not a plain host, rather than echoing it into a URL', () => {
    for (const host of ['', 'evil.com/path', 'a b', 'user@evil.com', 'evil.com:80:80', 'x'.repeat(64), '<script>', 'evil.com\r\nSet-Cookie: a=b']) {
      expect([host, requestOrigin({ protocol: 'http', host })]).toEqual([host, '']);
    }
    expect(requestOrigin({ protocol: 'ftp', host: 'example.com' })).toBe('');
  });
});

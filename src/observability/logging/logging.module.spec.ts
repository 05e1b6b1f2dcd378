import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pinoHttp from 'pino-http';
import { httpLoggerOptions, redactQuery } from './logging.module';

const KEY = 'afd_query-string-key-0123456789abcdefghijklmn';

describe('request logs', () => {
  let server: Server;
  const lines: string[] = [];

  beforeAll(async () => {
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logRequest = pinoHttp(httpLoggerOptions('info'), capture);
    server = createServer((request, response) => {
      logRequest(request, response);
      response.statusCode = 401;
      response.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function fetchPath(path: string, headers: Record<string, string> = {}): Promise<void> {
    const { port } = server.address() as AddressInfo;
    return new Promise((resolve, reject) => get({ host: '127.0.0.1', port, path, headers }, (res) => res.resume().on('end', resolve)).on('error', reject));
  }

  it('never carry a key sent in the query string, or in a header', async () => {
    await fetchPath(`/v1/generations/x?api_key=${KEY}&base64=true`, { authorization: `Bearer ${KEY}`, 'x-api-key': KEY });
    await fetchPath(`/v1/checkpoints?${KEY}`);
    // pino-http writes the line when the response finishes, before the client sees the end.
    const logged = lines.join('');
    expect(lines).toHaveLength(2);
    expect(logged).not.toContain(KEY);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ req: { method: 'GET', url: '/v1/generations/x?api_key=[REDACTED]&base64=[REDACTED]' }, res: { statusCode: 401 } });
    expect(JSON.parse(lines[1] as string)).toMatchObject({ req: { url: '/v1/checkpoints?[REDACTED]' } });
  });

  it('keeps the path and the query names', () => {
    expect(redactQuery('/v1/generations')).toBe('/v1/generations');
    expect(redactQuery('/v1/x?key=a&key=b&empty=&flag')).toBe('/v1/x?key=[REDACTED]&key=[REDACTED]&empty=[REDACTED]&[REDACTED]');
  });
});

import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadAppConfig } from '../../config/app-config';
import { MetricsServer } from './metrics-server';
import { metricsServiceForTests } from './testing/metrics-service.fixture';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function fetchText(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    }).on('error', reject);
  });
}

describe('metrics configuration and the separate metrics port', () => {
  it('reads AFD_METRICS_PORT (default 0: the main port) and AFD_GPU_SAMPLE_SECONDS (default 15, 0 turns it off)', () => {
    const load = (env: NodeJS.ProcessEnv) => loadAppConfig({ AFD_ALLOW_OPEN: 'true', ...env });
    expect(load({})).toMatchObject({ metrics: { port: 0, gpuSampleSeconds: 15 } });
    expect(load({ AFD_METRICS_PORT: '9464', AFD_GPU_SAMPLE_SECONDS: '0' })).toMatchObject({ metrics: { port: 9464, gpuSampleSeconds: 0 } });
    expect(() => load({ AFD_METRICS_PORT: '70000' })).toThrow(/configuration AFD_METRICS_PORT: must be an integer from 0 to 65535/);
    expect(() => load({ AFD_GPU_SAMPLE_SECONDS: '-1' })).toThrow(/configuration AFD_GPU_SAMPLE_SECONDS: must be an integer from 0 to 3600/);
  });

  it('serves GET /metrics on AFD_METRICS_PORT, 404 elsewhere, and closes with the application', async () => {
    const { metrics } = metricsServiceForTests();
    const port = await freePort();
    const server = new MetricsServer({ host: '127.0.0.1', metricsPort: port, gpuSampleSeconds: 0 }, metrics);
    await server.onApplicationBootstrap();
    try {
      expect(server.port).toBe(port);
      const scrape = await fetchText(`http://127.0.0.1:${port}/metrics`);
      expect([scrape.status, scrape.type]).toEqual([200, 'text/plain; version=0.0.4; charset=utf-8']);
      expect(scrape.body).toContain('# TYPE afd_request_duration_seconds histogram');
      expect((await fetchText(`http://127.0.0.1:${port}/v1/checkpoints`)).status).toBe(404);
    } finally {
      await server.onApplicationShutdown();
      metrics.onApplicationShutdown();
    }
    expect(server.port).toBeUndefined();
  });

  it('starts nothing when AFD_METRICS_PORT is 0', async () => {
    const { metrics } = metricsServiceForTests();
    const server = new MetricsServer({ host: '127.0.0.1', metricsPort: 0, gpuSampleSeconds: 0 }, metrics);
    await server.onApplicationBootstrap();
    expect(server.port).toBeUndefined();
    await server.onApplicationShutdown();
    metrics.onApplicationShutdown();
  });
});

/** Waits for the app's readiness (default checkpoint warmed up), polling; throws after the timeout. */
import type { INestApplication } from '@nestjs/common';
import { ReadinessService } from '../../src/observability/health/readiness.service';

export async function waitUntilReady(app: INestApplication, timeoutMs = 60_000): Promise<void> {
  const readiness = app.get(ReadinessService);
  const deadline = Date.now() + timeoutMs;
  while (!(await readiness.state()).ready) {
    if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs} ms: ${JSON.stringify(await readiness.state())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

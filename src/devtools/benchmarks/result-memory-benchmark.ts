/**
 * Memory held for results with unique Idempotency-Keys (issue 13, defect 5): the real application
 * on the demo release with AFD_RESULT_STORE_MB=1, N generations through GenerationService, each
 * with its own key. Prints, after a forced GC, the growth of the heap and of Buffer memory, the
 * bytes the result budget accounts and the idempotency entries kept. Before the fix every key held
 * its record and images for the result time (an hour), so Buffer memory grew with N.
 *
 *   npm run bench:result-memory -- [count]
 *
 * Measured (2-core shared VM, 400 generations): Buffer growth 12.1 MB before the fix (its
 * generation.service.ts), 0.1 MB after; the budget in use 1.0 MB in both.
 */
import { loadAppConfig } from '../../config/app-config';
import { createApp } from '../../create-app';
import { ResultBudget } from '../../generation/result-budget';
import { GenerationService } from '../../generation/generation.service';

function settledMemory(): { heap: number; buffers: number } {
  for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, buffers: usage.arrayBuffers };
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 400);
  if (!(globalThis as { gc?: unknown }).gc) console.warn('run with node --expose-gc for settled figures');
  const app = await createApp(loadAppConfig({ GRPC_PORT: '0', PORT: '0', AFD_LOG_LEVEL: 'warn', AFD_ALLOW_OPEN: 'true', AFD_OPEN_TIER: 'internal', AFD_RESULT_STORE_MB: '1' }));
  await app.init();
  try {
    const service = app.get(GenerationService);
    const budget = app.get(ResultBudget);
    // Warm-up without keys until the 1 MB store is full, so the baseline holds models, encoders and a full store.
    for (let i = 0; budget.usedBytes < budget.maxBytes * 0.9 && i < 1000; i++) {
      await (await service.start({ prompt: 'warm-up dress', width: 128, height: 128, steps: 4, seed: 10_000 + i }, 'bench')).done;
    }
    const before = settledMemory();
    for (let i = 0; i < count; i++) {
      await (await service.start({ prompt: 'red kente dress with gold embroidery', width: 128, height: 128, steps: 4, seed: i }, 'bench', `key-${i}`)).done;
    }
    const after = settledMemory();
    const entries = (service as unknown as { idempotency?: { size: number } }).idempotency?.size ?? 'n/a';
    console.log(`result memory: ${count} generations of 128×128 with unique Idempotency-Keys, AFD_RESULT_STORE_MB=1`);
    console.log(`  Buffer memory growth   ${mb(after.buffers - before.buffers)}`);
    console.log(`  heap growth            ${mb(after.heap - before.heap)}`);
    console.log(`  result budget in use   ${mb(budget.usedBytes)} of ${mb(budget.maxBytes)}`);
    console.log(`  idempotency entries    ${entries} (one per generation still kept)`);
    console.log(`reproduce with: npm run bench:result-memory -- ${count}`);
  } finally {
    await app.close();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

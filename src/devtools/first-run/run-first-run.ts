/**
 * What `npm start` does until the API server exists: make the embedded demo release (a baseline
 * and five fine-tuned checkpoints that share text encoder and VAE), run one comparison through the
 * real inference pool, and write the labelled grid, so a newcomer sees the product's point in one
 * picture: on the release notes' four examples, later checkpoints draw the cowries, the mid-length
 * cut, the kente and the boubou that the baseline misses.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderComparisonGrid } from '../../comparisons/comparison-grid';
import { parseGenerationRequest } from '../../engine/pipeline/generation-request';
import type { RgbImage } from '../../engine/pipeline/decode-latents';
import { defaultModelsRoot } from '../../model-generator/ensure-model-directory';
import { DEMO_CHECKPOINTS, RELEASE_EXAMPLES, demoCheckpointDir, ensureDemoRelease } from '../../model-generator/demo';
import { InferencePool } from '../../pool';

/** The release notes' four failure cases (release-examples.ts). */
export const FIRST_RUN_PROMPTS: readonly string[] = RELEASE_EXAMPLES.map((e) => e.prompt);

export async function runFirstRun(print: (line: string) => void, modelsRoot = defaultModelsRoot()): Promise<string> {
  const started = Date.now();
  const release = ensureDemoRelease(modelsRoot);
  print(`demo release: ${release} (${DEMO_CHECKPOINTS.map((c) => c.name).join(', ')})`);
  const pool = await InferencePool.start({
    checkpoints: DEMO_CHECKPOINTS.map((c) => ({ id: c.name, dir: demoCheckpointDir(release, c.name) })),
  });
  try {
    const rows: RgbImage[][] = [];
    for (const prompt of FIRST_RUN_PROMPTS) {
      const request = parseGenerationRequest({ prompt, width: 192, height: 192, steps: 20, scheduler: 'euler-a', seed: 7 });
      const comparison = pool.submitComparison({ checkpointIds: DEMO_CHECKPOINTS.map((c) => c.name), request, clientId: 'first-run' });
      const { cells } = await comparison.result;
      rows.push(
        cells.map((cell) => {
          if (!cell.ok) throw cell.error;
          return (cell.result.images[0] as { image: RgbImage }).image;
        }),
      );
    }
    const grid = await renderComparisonGrid({
      columns: DEMO_CHECKPOINTS.map((c) => ({ title: c.name, subtitle: c.step === 0 ? 'Stable Diffusion base' : `${c.step.toLocaleString('en-US')} steps` })),
      rowTitles: FIRST_RUN_PROMPTS,
      cells: rows,
    });
    const outDir = join(modelsRoot, 'first-run');
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, 'comparison.png');
    writeFileSync(file, grid);
    print(`compared ${DEMO_CHECKPOINTS.length} checkpoints on ${FIRST_RUN_PROMPTS.length} prompts (seed 7, 20 euler-a steps) in ${Date.now() - started} ms`);
    print(`wrote ${file}`);
    return file;
  } finally {
    await pool.close();
  }
}

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { FIRST_RUN_PROMPTS, runFirstRun } from '../src/devtools/first-run/run-first-run';
import { DEMO_CHECKPOINTS } from '../src/model-generator/demo';

describe('npm start (first run)', () => {
  it('makes the demo release and writes a comparison grid of every checkpoint on every prompt', async () => {
    const lines: string[] = [];
    const file = await runFirstRun((l) => lines.push(l), mkdtempSync(join(tmpdir(), 'afd-first-run-')));
    expect(lines[lines.length - 1]).toBe(`wrote ${file}`);
    const meta = await sharp(file).metadata();
    // 192-px cells with 8-px gaps, a 180-px title column and a 48-px header.
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 180 + DEMO_CHECKPOINTS.length * 200 + 8, 48 + FIRST_RUN_PROMPTS.length * 200 + 8]);
  });
});

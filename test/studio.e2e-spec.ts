/**
 * The studio page in a real Chromium (playwright-core driving Debian's `chromium`), on the demo
 * release in open mode: build a prompt from French attributes, compare three checkpoints, see
 * previews then the final images, open a cell, reopen from the history, add a reference photo as
 * the first column, and see a 400's message beside the width field; cancel a running comparison
 * from the page, open and close a cell with the keyboard alone, and run the page on a tablet's
 * viewport (820×1180) without layout jumps. Where /usr/bin/chromium is missing the spec says it
 * skipped and passes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { createApp } from '../src/create-app';
import { testAppConfig } from './support/test-app-config';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const ROOT = join(__dirname, '..');
/** One row, three checkpoints: every cell shows its final image (a blob URL from the cell route). */
const ALL_THREE_FINAL = `document.querySelectorAll('.cell[data-state="done"] img[src^="blob:"]').length === 3`;

describe('the studio page in Chromium', () => {
  let app: NestExpressApplication;
  let browser: Browser;
  let page: Page;
  let baseUrl: string;

  beforeAll(async () => {
    if (!hasChromium) {
      console.log(`SKIPPED: studio browser test — no Chromium at ${CHROMIUM}`);
      return;
    }
    // The page's scripts as `npm run build` makes them (dist/studio-page), from this checkout's sources.
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(ROOT, 'studio', 'tsconfig.json')], { stdio: 'inherit' });
    app = await createApp(testAppConfig());
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1024, height: 1366 } });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('serves the page and its assets without a key, and nothing else under /studio', async () => {
    if (!hasChromium) return;
    const html = await fetch(`${baseUrl}/studio`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    const script = await fetch(`${baseUrl}/studio/studio.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${baseUrl}/studio/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${baseUrl}/studio/tsconfig.json`)).status).toBe(404);
  });

  it('builds a French prompt, compares three checkpoints with previews then final images, opens a cell, reopens from the history, adds a reference column', async () => {
    if (!hasChromium) return;
    await page.goto(`${baseUrl}/studio`);
    await page.waitForSelector('body[data-ready="true"]');

    await page.check('input[name="language"][value="fr"]');
    await page.waitForSelector('#builder-garment option[value="dress"]:text("robe")', { state: 'attached' });
    await page.selectOption('#builder-garment', 'dress');
    await page.check('#builder-colour input[value="red"]');
    await page.check('#builder-fabric input[value="kente"]');
    await page.click('#build');
    await page.waitForFunction("document.getElementById('prompt').value.includes('kente')");
    await page.waitForSelector('#token-count li:text("/ 75 tokens")');

    const boxes = page.locator('input[name="checkpoint"]');
    const count = await boxes.count();
    expect(count).toBeGreaterThanOrEqual(3);
    for (let i = 3; i < count; i++) await boxes.nth(i).uncheck();
    await page.fill('#steps', '8');
    await page.fill('#width', '64');
    await page.fill('#height', '64');

    // Every preview that reaches a cell, recorded as it happens (a fast cell may show one only briefly).
    // (Page-side code as strings: this program is type-checked without the DOM's types.)
    await page.evaluate(`
      window.previews = [];
      new MutationObserver((records) => {
        for (const r of records) if (r.target.src && r.target.src.startsWith('data:image/webp')) window.previews.push(r.target.src);
      }).observe(document.getElementById('grid'), { subtree: true, attributes: true, attributeFilter: ['src'] });
    `);
    await page.click('#compare');
    await page.waitForFunction(ALL_THREE_FINAL);
    // Successive previews: at least two different images before the final ones (8 steps, one preview a step).
    const previews = (await page.evaluate('window.previews')) as string[];
    expect(new Set(previews).size).toBeGreaterThanOrEqual(2);
    expect(await page.locator('.column-head').allTextContents()).toHaveLength(3);
    expect(await page.inputValue('#seed')).toMatch(/^\d+$/);
    // STUDIO_SCREENSHOT=docs/studio.png npx jest test/studio.e2e-spec.ts refreshes the README's picture.
    if (process.env['STUDIO_SCREENSHOT']) await page.screenshot({ path: process.env['STUDIO_SCREENSHOT'], fullPage: true });

    await page.click('#cell-0-1');
    await page.waitForSelector('#cell-dialog[open]');
    expect(await page.getAttribute('#cell-download', 'href')).toMatch(/^blob:/);
    const parameters = JSON.parse((await page.textContent('#cell-parameters')) ?? '') as Record<string, unknown>;
    expect(parameters).toMatchObject({ checkpoint: 'checkpoint-20000', steps: 8, width: 64, height: 64, seed: await page.inputValue('#seed') });
    expect(await page.inputValue('#cell-curl')).toContain(`${baseUrl}/v1/generations`);
    // "Download PNG" saves the API's PNG, its parameters chunk included.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#cell-download')]);
    expect(download.suggestedFilename()).toBe('cell-0-1.png');
    const png = readFileSync(await download.path());
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.toString('latin1')).toMatch(/tEXtparameters\0.*checkpoint-20000/s);
    // The same cell as a GraphQL request: the generate mutation with the cell's parameters (the scheduler as GraphQL's enum).
    const graphqlBody = JSON.parse(await page.inputValue('#cell-graphql')) as { query: string; variables: { input: Record<string, unknown> } };
    expect(graphqlBody.query).toMatch(/^mutation Generate\(\$input: GenerateInput!\) \{ generate\(input: \$input, wait: true\)/);
    expect(graphqlBody.variables.input).toMatchObject({ checkpoint: 'checkpoint-20000', steps: 8, scheduler: 'EULER_A', seed: parameters['seed'] });
    const generated = await fetch(`${baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(graphqlBody) });
    expect(await generated.json()).toMatchObject({ data: { generate: { status: 'SUCCEEDED', images: [{ index: 0, seed: parameters['seed'] }] } } });
    await page.click('#cell-close');

    await page.evaluate("document.getElementById('grid').replaceChildren()");
    await page.click('#history li:first-child button');
    await page.waitForFunction(ALL_THREE_FINAL);

    // A reference photo (given through the file field, as a drop sets it) becomes the first column.
    const photo = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 20, g: 120, b: 200 } } }).png().toBuffer();
    await page.setInputFiles('#reference', { name: 'reference.png', mimeType: 'image/png', buffer: photo });
    await page.click('#compare');
    await page.waitForFunction(`document.querySelector('.cell.reference img[src^="blob:"]') !== null && ${ALL_THREE_FINAL}`);
    expect(await page.locator('.column-head').allTextContents()).toEqual(['Reference', 'baseline', 'checkpoint-20000', 'checkpoint-40000']);
    await page.click('#reference-clear');

    // Reopened from the history, it keeps its size (a 64×128 comparison: 1:2 cells) and its reference column.
    await page.fill('#height', '128');
    await page.setInputFiles('#reference', { name: 'reference.png', mimeType: 'image/png', buffer: photo });
    await page.click('#compare');
    await page.waitForFunction(`document.querySelector('.cell.reference img[src^="blob:"]') !== null && ${ALL_THREE_FINAL}`);
    await page.click('#reference-clear');
    await page.evaluate("document.getElementById('grid').replaceChildren()");
    await page.click('#history li:first-child button');
    await page.waitForFunction(`document.querySelector('.cell.reference img[src^="blob:"]') !== null && ${ALL_THREE_FINAL}`);
    expect(await page.locator('.column-head').allTextContents()).toEqual(['Reference', 'baseline', 'checkpoint-20000', 'checkpoint-40000']);
    const box = await page.locator('#cell-0-0').boundingBox();
    expect((box?.height ?? 0) / (box?.width ?? 1)).toBeCloseTo(2, 1);
    await page.fill('#height', '64');
  });

  it('cancels a running comparison from the page: cells not done end cancelled, the server says cancelled', async () => {
    if (!hasChromium) return;
    // Long enough (three cells of 150 steps at 768 × 768, seconds each even on a fast machine) that the
    // comparison is still running when Cancel is clicked after its first preview.
    await page.fill('#steps', '150');
    await page.fill('#width', '768');
    await page.fill('#height', '768');
    await page.click('#compare');
    // Running: its first previews are in, and Cancel is offered.
    await page.waitForSelector('.cell[data-state="preview"]');
    await page.click('#cancel');
    await page.waitForFunction("document.getElementById('status').textContent.includes('cancelled')");
    const states = await page.locator('.cell:not(.reference)').evaluateAll((cells) => cells.map((c) => (c as unknown as { dataset: Record<string, string> }).dataset['state']));
    expect(states).toHaveLength(3);
    expect(states.filter((state) => state === 'cancelled').length).toBeGreaterThanOrEqual(1);
    expect(states.every((state) => state === 'cancelled' || state === 'done')).toBe(true);
    expect(await page.locator('.cell[data-state="cancelled"] .cell-status').first().textContent()).toBe('cancelled');
    expect(await page.isDisabled('#cancel')).toBe(true);
    const id = /Comparison (\S+):/.exec((await page.textContent('#status')) ?? '')?.[1];
    const view = (await (await fetch(`${baseUrl}/v1/comparisons/${id}`)).json()) as { status: string };
    expect(view.status).toBe('cancelled');
    await page.fill('#steps', '8');
    await page.fill('#width', '64');
    await page.fill('#height', '64');
  }, 120_000);

  it('opens and closes a cell with the keyboard alone (Tab, Enter or Space, Escape), focus going back to the cell', async () => {
    if (!hasChromium) return;
    await page.click('#compare');
    await page.waitForFunction(ALL_THREE_FINAL);
    // From the Compare button, the next stop is the first cell (Cancel and Stop watching are disabled).
    await page.focus('#compare');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.id')).toBe('cell-0-0');
    expect(await page.getAttribute('#cell-0-0', 'aria-label')).toBe('Row 1, baseline: done');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#cell-dialog[open]');
    expect(await page.evaluate("document.getElementById('cell-dialog').contains(document.activeElement)")).toBe(true);
    await page.keyboard.press('Escape');
    await page.waitForSelector('#cell-dialog:not([open])', { state: 'attached' });
    expect(await page.evaluate('document.activeElement.id')).toBe('cell-0-0');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.id')).toBe('cell-0-1');
    await page.keyboard.press('Space');
    await page.waitForSelector('#cell-dialog[open]');
    expect(await page.textContent('#cell-caption')).toMatch(/^checkpoint-20000: /);
    await page.keyboard.press('Escape');
    await page.waitForSelector('#cell-dialog:not([open])', { state: 'attached' });
    expect(await page.evaluate('document.activeElement.id')).toBe('cell-0-1');
    // Every control has a label (its accessible name).
    const unlabelled = (await page.evaluate(`[...document.querySelectorAll('input, select, textarea')].filter((e) => e.labels.length === 0 && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby')).map((e) => e.id || e.name)`)) as string[];
    expect(unlabelled).toEqual([]);
  }, 120_000);

  it('works on a tablet (820×1180): no sideways scrolling, and cells keep their size while images load', async () => {
    if (!hasChromium) return;
    const tablet = await browser.newPage({ viewport: { width: 820, height: 1180 }, hasTouch: true, isMobile: true });
    try {
      await tablet.goto(`${baseUrl}/studio`);
      await tablet.waitForSelector('body[data-ready="true"]');
      expect(await tablet.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(820);
      await tablet.fill('#prompt', 'a red kente dress');
      const boxes = tablet.locator('input[name="checkpoint"]');
      const count = await boxes.count();
      for (let i = 3; i < count; i++) await boxes.nth(i).uncheck();
      await tablet.fill('#steps', '8');
      await tablet.fill('#width', '64');
      await tablet.fill('#height', '96');
      await tablet.tap('#compare');
      await tablet.waitForSelector('.cell[data-state="queued"], .cell[data-state="running"], .cell[data-state="preview"]');
      const sizes = (): Promise<string[]> => tablet.locator('.cell').evaluateAll((cells) => cells.map((c) => { const r = (c as unknown as { getBoundingClientRect(): { x: number; y: number; width: number; height: number } }).getBoundingClientRect(); return `${r.x},${r.y},${r.width},${r.height}`; }));
      const before = await sizes();
      await tablet.waitForFunction(ALL_THREE_FINAL);
      expect(await sizes()).toEqual(before);
      expect(await tablet.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(820);
      await tablet.tap('#cell-0-2');
      await tablet.waitForSelector('#cell-dialog[open]');
      await tablet.tap('#cell-close');
    } finally {
      await tablet.close();
    }
  }, 120_000);

  it("shows the API's 400 message beside the width field", async () => {
    if (!hasChromium) return;
    await page.fill('#width', '130');
    await page.click('#compare');
    const message = await page.waitForSelector('[data-error-for="width"]:not(:empty)');
    expect(await message.textContent()).toMatch(/^width: .*multiple of 8/);
    expect(await page.getAttribute('#width', 'aria-invalid')).toBe('true');
  });

  it('counts tokens live in chunks of 75, and warns when a prompt is cut after the last chunk', async () => {
    if (!hasChromium) return;
    await page.fill('#prompt', Array.from({ length: 90 }, () => 'kente').join(' '));
    await page.waitForSelector('#token-count li:text("Row 1: 90 / 150 tokens (2 chunks)")');
    expect(await page.$('#token-count li.warning')).toBeNull();
    await page.fill('#prompt', Array.from({ length: 240 }, () => 'kente').join(' '));
    const warning = await page.waitForSelector('#token-count li.warning');
    expect(await warning.textContent()).toMatch(/^Row 1: 225 \/ 225 tokens \(3 chunks\) — past 3 chunks, dropping “kente/);
  });
});

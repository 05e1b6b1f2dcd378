/**
 * The studio page in a real Chromium (playwright-core driving Debian's `chromium`), on the demo
 * release in open mode: build a prompt from French attributes, compare three checkpoints, see
 * previews then the final images, open a cell, reopen from the history, add a reference photo as
 * the first column, and see a 400's message
 * beside the width field. Where /usr/bin/chromium is missing the spec says it skipped and passes.
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
  });

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

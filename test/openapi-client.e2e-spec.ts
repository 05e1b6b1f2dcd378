/**
 * The document is good enough to integrate from: types generated from the served /docs-json
 * (openapi-typescript), a client program written against them with openapi-fetch
 * (test/fixtures/openapi-client/client.ts) type-checked by strict tsc, then run against the app.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { NestExpressApplication } from '@nestjs/platform-express';
import ts from 'typescript';
import { createApp } from '../src/create-app';
import { testAppConfig } from './support/test-app-config';

const ROOT = resolve(__dirname, '..');
const run = promisify(execFile);

/** Types for the served document, by openapi-typescript (test/fixtures/openapi-client/generate-types.mjs). */
async function generateTypes(baseUrl: string, dir: string): Promise<void> {
  writeFileSync(join(dir, 'openapi.json'), await (await fetch(`${baseUrl}/docs-json`)).text());
  await run(process.execPath, [join(ROOT, 'test/fixtures/openapi-client/generate-types.mjs'), join(dir, 'openapi.json'), join(dir, 'schema.d.ts')], { cwd: ROOT });
}

/** Strict compile of the client; returns the diagnostics as text (empty when it compiles). */
function compile(dir: string): string[] {
  const program = ts.createProgram([join(dir, 'client.ts')], {
    strict: true,
    noUncheckedIndexedAccess: true,
    // The generated schema.d.ts and the libraries' own declarations are not what is being checked: the client is.
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    typeRoots: [join(ROOT, 'node_modules/@types')],
    outDir: dir,
  });
  const emitted = program.emit();
  return [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('a client generated from the OpenAPI document', () => {
  let app: NestExpressApplication;
  let baseUrl: string;
  let dir: string;

  beforeAll(async () => {
    app = await createApp(testAppConfig());
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    // Inside the repository's node_modules, so the client resolves openapi-fetch as a partner's project would.
    mkdirSync(join(ROOT, 'node_modules/.cache'), { recursive: true });
    dir = mkdtempSync(join(ROOT, 'node_modules/.cache/openapi-client-'));
    await generateTypes(baseUrl, dir);
  }, 120_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await app.close();
  });

  it('compiles under strict tsc and lists, generates, reads the image and gets a typed 400', async () => {
    copyFileSync(join(ROOT, 'test/fixtures/openapi-client/client.ts'), join(dir, 'client.ts'));

    expect(compile(dir)).toEqual([]);

    const { stdout } = await run(process.execPath, [join(dir, 'client.js'), baseUrl], { cwd: dir });
    const seen = JSON.parse(stdout) as Record<string, Record<string, unknown>>;
    expect(seen['checkpoints']).toEqual(expect.arrayContaining(['baseline', 'final']));
    expect(seen['defaultCheckpoint']).toBe('final');
    expect(seen['generation']).toEqual({ status: 'succeeded', checkpoint: 'final', seed: '7', mimeType: 'image/png' });
    expect(seen['image']).toMatchObject({ pngSignature: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], contentType: 'image/png' });
    expect(seen['image']?.['bytes']).toBeGreaterThan(8);
    expect(seen['refused']).toEqual({
      status: 400,
      invalid: true,
      code: 'INVALID_ARGUMENT',
      message: 'width: must be a multiple of 8 (latents are 1/8 of the image), got 100',
      field: 'width',
    });
  }, 60_000);

  it('would not compile a client that misuses the types (the check has teeth)', async () => {
    writeFileSync(
      join(dir, 'client.ts'),
      "import createClient from 'openapi-fetch';\nimport type { paths } from './schema';\n" +
        "void createClient<paths>({ baseUrl: '' }).POST('/v1/generations', { body: { prompt: 'x', scheduler: 'dpm' } });\n",
    );
    expect(compile(dir).join('\n')).toMatch(/"dpm"/);
  }, 60_000);
});

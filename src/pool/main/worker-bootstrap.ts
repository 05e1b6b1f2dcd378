/**
 * Starting a device worker from compiled JavaScript (dist/) and from TypeScript sources (Jest).
 *
 * A `worker_threads` Worker runs outside Jest's transform, so it cannot `require` a `.ts` file, and
 * ts-node is not a dependency. The worker is therefore started from a few lines of JavaScript given
 * to `new Worker(..., { eval: true })` (so nothing extra has to be copied into dist/). That
 * bootstrap requires the real entry, `device-worker-main`, with the extension of this very module:
 *
 * - from dist/, `device-worker-main.js` is loaded directly: no loader, no TypeScript needed;
 * - from src/ (this module is `.ts`, as under ts-jest), the bootstrap first registers a require hook
 *   for `.ts` that strips types with `typescript.transpileModule` (a devDependency), file by file,
 *   without type checking (`npm run typecheck` does that). Relative imports without extensions
 *   resolve because `.ts` becomes a known extension. Outputs are cached in the OS temp folder,
 *   keyed by TypeScript version, path and source, so each worker start does not re-transpile the
 *   engine (about 1.5 s on two cores).
 */
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';

const BOOTSTRAP = `
'use strict';
const { workerData } = require('node:worker_threads');
const entry = workerData.entry;
if (entry.endsWith('.ts')) {
  const fs = require('node:fs');
  const path = require('node:path');
  const { createHash } = require('node:crypto');
  const requireFromEntry = require('node:module').createRequire(entry);
  const tsVersion = JSON.parse(fs.readFileSync(requireFromEntry.resolve('typescript/package.json'), 'utf8')).version;
  const cacheDir = path.join(require('node:os').tmpdir(), 'afd-worker-ts-cache');
  let ts;
  const transpile = (source, filename) => {
    ts = ts || requireFromEntry('typescript');
    const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true };
    return ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
  };
  require.extensions['.ts'] = (module, filename) => {
    const source = fs.readFileSync(filename, 'utf8');
    const cached = path.join(cacheDir, createHash('sha1').update(tsVersion + '\\0' + filename + '\\0' + source).digest('hex') + '.js');
    let output;
    try {
      output = fs.readFileSync(cached, 'utf8');
    } catch {
      output = transpile(source, filename);
      try {
        fs.mkdirSync(cacheDir, { recursive: true });
        const partial = cached + '.' + process.pid + '.' + require('node:worker_threads').threadId;
        fs.writeFileSync(partial, output);
        fs.renameSync(partial, cached);
      } catch {
        // The cache only saves time.
      }
    }
    module._compile(output, filename);
  };
}
require(entry);
`;

/** The worker entry beside this module: `.ts` under Jest, `.js` in dist/. */
export function deviceWorkerEntry(): string {
  return join(__dirname, '..', 'worker', `device-worker-main${extname(__filename)}`);
}

export function spawnDeviceWorker(workerData: Record<string, unknown>, name: string): Worker {
  return new Worker(BOOTSTRAP, {
    eval: true,
    name,
    workerData: { ...workerData, entry: deviceWorkerEntry() },
  });
}

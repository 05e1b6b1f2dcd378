/** The `models:check` command as a function of its arguments, so tests can drive it. */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage } from './error-text';
import { formatReport } from './format-report';
import { inspectModelDirectory } from './inspect-model-directory';

export const CHECK_MODELS_USAGE = `usage: npm run models:check -- DIR [--json]
  DIR     a model directory (model_index.json, scheduler/, tokenizer/, text_encoder/, unet/, vae_decoder/...)
  --json  print the report as JSON instead of text
exit code: 0 no errors (warnings allowed), 1 errors found, 2 usage error`;

/** Returns the exit code: 0 no errors, 1 errors (or the check itself failed), 2 bad arguments. */
export function runCheckModels(argv: readonly string[], print: (text: string) => void): number {
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...argv],
        strict: true,
        allowPositionals: true,
        options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      });
    } catch (error) {
      print(`models:check: ${oneLine(error)}\n${CHECK_MODELS_USAGE}`);
      return 2;
    }
    if (parsed.values.help) {
      print(CHECK_MODELS_USAGE);
      return 0;
    }
    const [dir, ...extra] = parsed.positionals;
    if (dir === undefined || extra.length > 0) {
      print(`models:check: ${dir === undefined ? 'a model directory is required' : `one directory at a time (got ${parsed.positionals.length})`}\n${CHECK_MODELS_USAGE}`);
      return 2;
    }
    if (!isDirectory(dir)) {
      print(`models:check: ${resolve(dir)} is not a directory\n${CHECK_MODELS_USAGE}`);
      return 2;
    }
    const report = inspectModelDirectory(dir);
    print(parsed.values.json ? JSON.stringify(report, null, 2) : formatReport(report));
    return report.errorCount > 0 ? 1 : 0;
  } catch (error) {
    print(`models:check: ${oneLine(error)}`);
    return 1;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function oneLine(error: unknown): string {
  const text = errorMessage(error);
  return text.split('\n')[0] ?? text;
}

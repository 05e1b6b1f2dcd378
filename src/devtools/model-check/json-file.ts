/** Reads one JSON file of a model directory, turning absence and syntax errors into problems. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from './error-text';
import type { ProblemList, Rule } from './problem-list';

export const JSON_PARSES: Rule = { code: 'invalid-json', text: 'JSON files parse' };

export type JsonObject = Readonly<Record<string, unknown>>;

export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The parsed content of `root/file`, or undefined after adding a problem: `missing` (an error
 * under `presenceRule`) when the file is absent, `invalid-json` when it does not parse.
 */
export function readJsonFile(root: string, file: string, presenceRule: Rule, problems: ProblemList): unknown {
  let text: string;
  try {
    text = readFileSync(join(root, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.error(file, presenceRule, code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? String(error)})`);
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    problems.error(file, JSON_PARSES, `is not valid JSON: ${errorMessage(error)}`);
    return undefined;
  }
}

/** The value if it is a string, else null. */
export function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

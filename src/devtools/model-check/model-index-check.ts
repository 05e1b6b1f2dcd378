/** model_index.json: the pipeline class and the components it lists, as `[library, class]` pairs. */
import type { ModelIndexEntry, ModelIndexSummary } from './inspection-report';
import { isJsonObject, readJsonFile, stringOrNull } from './json-file';
import type { ProblemList, Rule } from './problem-list';

export const MODEL_INDEX_FILE = 'model_index.json';
const PRESENT: Rule = { code: 'missing-file', text: 'a model directory has model_index.json' };
const SHAPE: Rule = { code: 'model-index-format', text: 'model_index.json is an object whose components are [library, class] pairs' };

/** Reads model_index.json; null (after a problem) when it is missing or unusable. */
export function readModelIndex(root: string, problems: ProblemList): ModelIndexSummary | null {
  const json = readJsonFile(root, MODEL_INDEX_FILE, PRESENT, problems);
  if (json === undefined) return null;
  if (!isJsonObject(json)) {
    problems.error(MODEL_INDEX_FILE, SHAPE, 'is not a JSON object');
    return null;
  }
  const entries: ModelIndexEntry[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name.startsWith('_') || !Array.isArray(value)) continue;
    if (value.length !== 2 || !value.every((v) => v === null || typeof v === 'string')) {
      problems.error(MODEL_INDEX_FILE, SHAPE, `entry "${name}" is ${JSON.stringify(value)}, expected [library, class] or [null, null]`);
      continue;
    }
    entries.push({ name, library: stringOrNull(value[0]), className: stringOrNull(value[1]) });
  }
  return { className: stringOrNull(json['_class_name']), entries };
}

/** Names of the components model_index.json says are present (entries not `[null, null]`). */
export function listedComponents(index: ModelIndexSummary | null): Set<string> {
  return new Set((index?.entries ?? []).filter((e) => e.library !== null || e.className !== null).map((e) => e.name));
}

/**
 * Inspects a Stable Diffusion model directory in the layout of an `optimum-cli export onnx` export
 * without loading anything into a runtime: JSON files are parsed, model.onnx files decoded as
 * protobuf, external weight files only stat'ed. Every problem is collected, not just the first.
 */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkAcrossComponents } from './cross-component-rules';
import { inspectComponent } from './inspect-component';
import { COMPONENT_NAMES, type ComponentName, type ComponentSummary, type InspectionReport } from './inspection-report';
import { MODEL_INDEX_FILE, listedComponents, readModelIndex } from './model-index-check';
import { ProblemList, type Rule } from './problem-list';
import { readScheduler } from './scheduler-check';
import { readTokenizer } from './tokenizer-check';

const REQUIRED_COMPONENTS: readonly ComponentName[] = ['text_encoder', 'unet', 'vae_decoder'];
const DIRECTORY: Rule = { code: 'not-a-directory', text: 'a model directory is a directory' };
const REQUIRED: Rule = { code: 'missing-component', text: 'text_encoder, unet and vae_decoder each have a model.onnx' };
const LISTED_PRESENT: Rule = { code: 'missing-component', text: 'every component model_index.json lists is on disk' };
const PRESENT_LISTED: Rule = { code: 'unlisted-component', text: 'model_index.json lists every component on disk' };

export function inspectModelDirectory(dir: string): InspectionReport {
  const root = resolve(dir);
  const problems = new ProblemList();
  if (!isDirectory(root)) {
    problems.error('.', DIRECTORY, `${root} is not a directory`);
    return finish(root, problems, { modelIndex: null, scheduler: null, tokenizer: null, components: [], floatDtype: null });
  }
  const modelIndex = readModelIndex(root, problems);
  const listed = listedComponents(modelIndex);
  const scheduler = readScheduler(root, modelIndex, problems);
  const tokenizer = readTokenizer(root, problems);

  const components: ComponentSummary[] = [];
  for (const name of COMPONENT_NAMES) {
    const file = `${name}/model.onnx`;
    const size = fileSize(join(root, file));
    const required = REQUIRED_COMPONENTS.includes(name);
    if (size === undefined) {
      const where = isDirectory(join(root, name)) ? `${name}/ has no model.onnx` : `the ${name} folder is missing`;
      if (required) problems.error(file, REQUIRED, `${where} (${name} is required)`);
      else if (listed.has(name)) problems.error(file, LISTED_PRESENT, `${where} but model_index.json lists ${name}`);
      continue;
    }
    if (modelIndex && !listed.has(name)) problems.warning(MODEL_INDEX_FILE, PRESENT_LISTED, `${file} is on disk but model_index.json does not list ${name}`);
    components.push(inspectComponent(root, name, join(root, file), size, problems));
  }
  for (const name of listed) {
    // Non-ONNX entries (scheduler, tokenizer, feature_extractor...) only need their folder.
    if ((COMPONENT_NAMES as readonly string[]).includes(name) || ['scheduler', 'tokenizer'].includes(name)) continue;
    if (!isDirectory(join(root, name))) problems.error(`${name}/`, LISTED_PRESENT, `model_index.json lists ${name} but the ${name} folder is missing`);
  }
  const floatDtype = checkAcrossComponents(components, { idCount: tokenizer.idCount, modelMaxLength: tokenizer.summary?.modelMaxLength ?? null }, problems);
  return finish(root, problems, { modelIndex, scheduler, tokenizer: tokenizer.summary, components, floatDtype });
}

function finish(
  dir: string,
  problems: ProblemList,
  listing: Omit<InspectionReport, 'dir' | 'problems' | 'errorCount' | 'warningCount'>,
): InspectionReport {
  const all = problems.toArray();
  return {
    dir,
    ...listing,
    problems: all,
    errorCount: all.filter((p) => p.severity === 'error').length,
    warningCount: all.filter((p) => p.severity === 'warning').length,
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The size of a regular file, undefined when there is none. */
function fileSize(path: string): number | undefined {
  try {
    const stat = statSync(path);
    return stat.isFile() ? stat.size : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Initializer totals and external data checks. External files are only stat'ed: each tensor's
 * offset + length is compared with the file's size, so multi-GB weight files are never read.
 */
import { statSync } from 'node:fs';
import { isAbsolute, join, posix, relative, resolve } from 'node:path';
import type { ExternalDataFile, InitializerStats } from './inspection-report';
import type { InitializerInfo } from './onnx-summary';
import type { ProblemList, Rule } from './problem-list';

export const EXTERNAL_FILE_PRESENT: Rule = {
  code: 'external-data-missing',
  text: 'every external data file a model references is present',
};
export const EXTERNAL_FILE_COMPLETE: Rule = {
  code: 'external-data-truncated',
  text: 'an external data file holds every byte its tensors reference (offset + length <= file size)',
};
export const EXTERNAL_REFERENCE_VALID: Rule = {
  code: 'external-data-invalid',
  text: 'external data entries give a relative location inside the model folder, integer offset and length, and a length matching the tensor shape',
};
export const INLINE_SIZE_MATCHES: Rule = {
  code: 'initializer-size',
  text: "an initializer's inline raw_data has exactly the bytes its dtype and shape need",
};

export interface WeightsSummary {
  readonly initializers: InitializerStats;
  readonly externalData: ExternalDataFile[];
}

interface ExternalGroup {
  readonly tensors: InitializerInfo[];
  /** Tensors whose offset + length are known, with their end. */
  readonly ends: { readonly name: string; readonly end: number }[];
}

/**
 * `root` is the model directory, `componentDir` the component's folder relative to it (`unet`),
 * `modelFile` its model.onnx relative to root (for problems about the references themselves).
 */
export function checkWeights(
  root: string,
  componentDir: string,
  modelFile: string,
  initializers: readonly InitializerInfo[],
  problems: ProblemList,
): WeightsSummary {
  let bytes = 0;
  let externalBytes = 0;
  const groups = new Map<string, ExternalGroup>();
  const badReferences: string[] = [];
  const badInline: string[] = [];

  for (const tensor of initializers) {
    const ext = tensor.external;
    if (!ext) {
      if (tensor.rawBytes > 0 && tensor.shapeBytes !== undefined && tensor.rawBytes !== tensor.shapeBytes) {
        badInline.push(`${tensor.name} has ${tensor.rawBytes} bytes, ${tensor.dtype} [${tensor.dims.join(', ')}] needs ${tensor.shapeBytes}`);
      }
      bytes += tensor.rawBytes > 0 ? tensor.rawBytes : (tensor.shapeBytes ?? 0);
      continue;
    }
    const length = ext.length ?? tensor.shapeBytes;
    externalBytes += length !== undefined && Number.isFinite(length) ? length : 0;
    if (ext.location === undefined || ext.location === '') {
      badReferences.push(`${tensor.name} has no location`);
      continue;
    }
    const group = groups.get(ext.location) ?? { tensors: [], ends: [] };
    groups.set(ext.location, group);
    group.tensors.push(tensor);
    if (!Number.isFinite(ext.offset) || (length !== undefined && !Number.isFinite(length))) {
      badReferences.push(`${tensor.name} has an offset or length that is not a non-negative integer`);
    } else if (length === undefined) {
      badReferences.push(`${tensor.name} has no length and a ${tensor.dtype} shape whose size is unknown`);
    } else {
      if (tensor.shapeBytes !== undefined && length !== tensor.shapeBytes) {
        badReferences.push(`${tensor.name} has length ${length}, ${tensor.dtype} [${tensor.dims.join(', ')}] needs ${tensor.shapeBytes}`);
      }
      group.ends.push({ name: tensor.name, end: ext.offset + length });
    }
  }
  bytes += externalBytes;

  reportList(problems, modelFile, INLINE_SIZE_MATCHES, badInline, 'initializer');
  reportList(problems, modelFile, EXTERNAL_REFERENCE_VALID, badReferences, 'external data reference');

  const externalData: ExternalDataFile[] = [];
  for (const [location, group] of groups) {
    externalData.push(checkExternalFile(root, componentDir, modelFile, location, group, problems));
  }
  const externalCount = initializers.filter((t) => t.external).length;
  return { initializers: { count: initializers.length, bytes, externalCount, externalBytes }, externalData };
}

function checkExternalFile(
  root: string,
  componentDir: string,
  modelFile: string,
  location: string,
  group: ExternalGroup,
  problems: ProblemList,
): ExternalDataFile {
  const bytesReferenced = group.ends.reduce((max, e) => Math.max(max, e.end), 0);
  const file = posix.normalize(posix.join(componentDir, location.replace(/\\/g, '/')));
  const summary = { file, size: null, tensors: group.tensors.length, bytesReferenced };
  const absolute = resolve(root, componentDir, location);
  const fromRoot = relative(resolve(root), absolute);
  if (isAbsolute(location) || fromRoot.startsWith('..') || isAbsolute(fromRoot)) {
    problems.error(modelFile, EXTERNAL_REFERENCE_VALID, `external data location "${location}" points outside the model directory`);
    return summary;
  }
  let size: number;
  try {
    const stat = statSync(join(root, componentDir, location));
    if (!stat.isFile()) {
      problems.error(file, EXTERNAL_FILE_PRESENT, `is not a file (referenced by ${group.tensors.length} tensors of ${modelFile})`);
      return summary;
    }
    size = stat.size;
  } catch {
    problems.error(file, EXTERNAL_FILE_PRESENT, `is missing (referenced by ${group.tensors.length} tensors of ${modelFile})`);
    return summary;
  }
  const beyond = group.ends.filter((e) => e.end > size);
  if (beyond.length > 0) {
    const first = beyond[0] as { name: string; end: number };
    problems.error(
      file,
      EXTERNAL_FILE_COMPLETE,
      `is ${size} bytes but ${modelFile} references bytes up to ${bytesReferenced}: ` +
        `${beyond.length} of ${group.tensors.length} tensors end past the end of the file (truncated?), first ${first.name} (ends at ${first.end})`,
    );
  }
  return { ...summary, size };
}

/** One problem for a list of findings of the same rule: the count, and the first few named. */
function reportList(problems: ProblemList, file: string, rule: Rule, findings: readonly string[], noun: string): void {
  if (findings.length === 0) return;
  const shown = findings.slice(0, 3).join('; ');
  const more = findings.length > 3 ? `; and ${findings.length - 3} more` : '';
  problems.error(file, rule, `${findings.length} ${noun}${findings.length === 1 ? '' : 's'} wrong: ${shown}${more}`);
}

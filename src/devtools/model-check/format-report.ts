/** The inspection report as text for people (the JSON form is the report object itself). */
import type { ComponentSummary, DimSummary, InspectionReport, Problem, TensorSignature } from './inspection-report';

export function formatReport(report: InspectionReport): string {
  const lines = [`Model directory: ${report.dir}`, ...pipelineLines(report), ''];
  for (const component of report.components) lines.push(...componentLines(component), '');
  if (report.components.some((c) => c.decoded)) {
    lines.push('Dynamic dimensions are shown by name (batch, height...); ? marks an unnamed one.', '');
  }
  lines.push(...problemLines(report.problems));
  return lines.join('\n');
}

export function formatProblem(problem: Problem): string {
  return `${problem.severity.toUpperCase()} ${problem.file}: ${problem.message} (rule: ${problem.rule})`;
}

export function formatShape(shape: readonly DimSummary[] | null): string {
  if (shape === null) return '(shape not declared)';
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/** 1023 B, 1.5 KiB, 3.2 MiB, 1.7 GiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function pipelineLines(report: InspectionReport): string[] {
  const lines: string[] = [];
  const index = report.modelIndex;
  if (index) {
    lines.push(`Pipeline: ${index.className ?? '(no _class_name)'} (model_index.json)`);
    const width = Math.max(0, ...index.entries.map((e) => e.name.length));
    for (const e of index.entries) {
      const value = e.library === null && e.className === null ? '(none)' : `${e.library ?? '?'} ${e.className ?? '?'}`;
      lines.push(`  ${e.name.padEnd(width)}  ${value}`);
    }
  } else {
    lines.push('Pipeline: model_index.json unreadable');
  }
  lines.push(`Scheduler: ${report.scheduler ? (report.scheduler.className ?? '(no _class_name)') : 'unreadable'}`);
  const t = report.tokenizer;
  if (t) {
    const parts = [
      `vocabulary ${t.vocabSize ?? '?'} tokens`,
      `${t.mergesCount ?? '?'} merges`,
      `bos ${t.bosToken ?? '?'}`,
      `eos ${t.eosToken ?? '?'}`,
      ...(t.modelMaxLength === null ? [] : [`max length ${t.modelMaxLength}`]),
    ];
    lines.push(`Tokenizer: ${parts.join(', ')}`);
  } else {
    lines.push('Tokenizer: missing');
  }
  lines.push(`Float dtype: ${report.floatDtype ?? 'unknown'}`);
  return lines;
}

function componentLines(c: ComponentSummary): string[] {
  if (!c.decoded) return [`${c.name}  ${c.file}  ${formatBytes(c.size)}, not decoded`];
  const facts = [
    formatBytes(c.size),
    `opset ${c.opset ?? '?'}`,
    c.floatDtype ?? 'no float inputs',
    ...(c.timestep ? [`timestep ${c.timestep}`] : []),
    ...(c.sizeMultiple ? [`image sizes in multiples of ${c.sizeMultiple}`] : []),
  ];
  const lines = [`${c.name}  ${c.file}  ${facts.join(', ')}`];
  const all = [...c.inputs, ...c.outputs];
  const nameWidth = Math.max(0, ...all.map((t) => t.name.length));
  const dtypeWidth = Math.max(0, ...all.map((t) => t.dtype.length));
  const row = (t: TensorSignature): string => `    ${t.name.padEnd(nameWidth)}  ${t.dtype.padEnd(dtypeWidth)}  ${formatShape(t.shape)}`;
  lines.push('  inputs:', ...(c.inputs.length ? c.inputs.map(row) : ['    (none)']));
  lines.push('  outputs:', ...(c.outputs.length ? c.outputs.map(row) : ['    (none)']));
  const init = c.initializers;
  const external = init.externalCount > 0 ? ` (${init.externalCount} external, ${formatBytes(init.externalBytes)})` : '';
  lines.push(`  initializers: ${init.count}, ${formatBytes(init.bytes)}${external}`);
  if (c.tokenEmbedding) lines.push(`  token embedding: ${c.tokenEmbedding[0]} x ${c.tokenEmbedding[1]}`);
  for (const f of c.externalData) {
    const size = f.size === null ? 'missing' : `${f.size} bytes`;
    lines.push(`  external data: ${f.file}  ${size}, ${f.tensors} tensors referencing bytes up to ${f.bytesReferenced}`);
  }
  return lines;
}

function problemLines(problems: readonly Problem[]): string[] {
  if (problems.length === 0) return ['No problems found.'];
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  // Errors first, each group in the order found.
  const ordered = [...problems.filter((p) => p.severity === 'error'), ...problems.filter((p) => p.severity === 'warning')];
  return ['Problems:', ...ordered.map(formatProblem), `${plural(errors, 'error')}, ${plural(warnings, 'warning')}.`];
}

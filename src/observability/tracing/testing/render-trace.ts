/**
 * A text rendering of finished spans, for specs and the README: each trace as a tree (children
 * under their parent, in start order) with times relative to the first span shown, then the spans
 * linked to them (a UNet call serving several requests) with their links.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

const ms = (time: HrTime): number => time[0] * 1000 + time[1] / 1e6;
const SHOWN_ATTRIBUTES = /^(afd\.|http\.route|http\.response\.status_code|rpc\.(method|grpc\.status_code)|graphql\.operation)/;

function attributes(values: Attributes): string {
  return Object.entries(values)
    .filter(([key]) => SHOWN_ATTRIBUTES.test(key) && key !== 'afd.generation.id')
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ');
}

/** The trees of the given traces, and the spans (of any trace) that link into them. */
export function renderTraces(spans: readonly ReadableSpan[], given: readonly string[]): string {
  // Numbered in the order the traces began.
  const began = (traceId: string): number => Math.min(...spans.filter((s) => s.spanContext().traceId === traceId).map((s) => ms(s.startTime)));
  const traceIds = [...given].sort((a, b) => began(a) - began(b));
  const shown = spans.filter((s) => traceIds.includes(s.spanContext().traceId));
  const linking = spans.filter((s) => !traceIds.includes(s.spanContext().traceId) && s.links.some((l) => traceIds.includes(l.context.traceId)));
  const origin = Math.min(...[...shown, ...linking].map((s) => ms(s.startTime)));
  const names = new Map(shown.map((s) => [s.spanContext().spanId, `${s.name} (trace ${traceIds.indexOf(s.spanContext().traceId) + 1})`]));
  const line = (s: ReadableSpan): string => {
    const start = ms(s.startTime) - origin;
    const detail = attributes(s.attributes);
    return `${s.name}  ${start.toFixed(1)}..${(start + ms(s.duration)).toFixed(1)} ms${detail ? `  ${detail}` : ''}`;
  };
  const lines: string[] = [];
  const walk = (span: ReadableSpan, prefix: string, last: boolean, root: boolean): void => {
    lines.push(root ? line(span) : `${prefix}${last ? '└─ ' : '├─ '}${line(span)}`);
    const children = shown.filter((c) => c.parentSpanContext?.spanId === span.spanContext().spanId).sort((a, b) => ms(a.startTime) - ms(b.startTime));
    children.forEach((child, i) => walk(child, root ? '' : `${prefix}${last ? '   ' : '│  '}`, i === children.length - 1, false));
  };
  traceIds.forEach((traceId, i) => {
    const roots = shown.filter((s) => s.spanContext().traceId === traceId && !shown.some((p) => p.spanContext().spanId === s.parentSpanContext?.spanId));
    for (const root of roots) {
      lines.push(`trace ${i + 1}:`);
      walk(root, '', true, true);
    }
  });
  for (const span of linking.sort((a, b) => ms(a.startTime) - ms(b.startTime))) {
    lines.push(line(span));
    for (const link of span.links) lines.push(`   ↳ link: ${names.get(link.context.spanId) ?? `span ${link.context.spanId} of another trace`}${Object.keys(link.attributes ?? {}).length > 0 ? `  ${attributes(link.attributes ?? {})}` : ''}`);
  }
  return lines.join('\n');
}

/**
 * OpenTelemetry traces, off by default. They start (NodeSDK, OTLP over HTTP unless told otherwise)
 * when the standard variables ask for them: OTEL_TRACES_EXPORTER (otlp, console) or an OTLP endpoint
 * (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); OTEL_SDK_DISABLED=true or
 * OTEL_TRACES_EXPORTER=none keeps them off. Everything else (OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER,
 * OTEL_BSP_*, OTEL_EXPORTER_OTLP_HEADERS, …) is read by the SDK itself. Only traces: metrics stay on
 * Prometheus, logs on stdout. No auto-instrumentation: the app makes its spans itself (see README.md).
 */
import { ProxyTracerProvider, trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';

const EXPORTERS = ['otlp', 'console', 'none'] as const;
const SERVICE_NAME = 'afro-fashion-diffusion-api';

/** Whether the environment asks for traces; throws, naming the variable, on an exporter the SDK does not know. */
export function tracingRequested(env: NodeJS.ProcessEnv): boolean {
  if ((env['OTEL_SDK_DISABLED'] ?? '').trim().toLowerCase() === 'true') return false;
  const exporters = (env['OTEL_TRACES_EXPORTER'] ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const unknown = exporters.find((name) => !(EXPORTERS as readonly string[]).includes(name));
  if (unknown !== undefined) throw new Error(`OTEL_TRACES_EXPORTER: "${unknown}" is not an exporter this server has; use ${EXPORTERS.join(', ')}`);
  if (exporters.includes('none')) return false;
  if (exporters.length > 0) return true;
  return Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']);
}

export interface Tracing {
  /** Flushes the spans not yet exported and stops the SDK. */
  shutdown(): Promise<void>;
}

/**
 * Starts the SDK: span processors from the environment, or the ones given (tests: an in-memory
 * exporter). Registers the AsyncLocalStorage context manager, so a span set active while serving a
 * request is the parent of the spans made for it, and the W3C trace-context propagator (traceparent).
 */
export function startTracing(options: { spanProcessors?: SpanProcessor[] } = {}): Tracing {
  const sdk = new NodeSDK({
    serviceName: process.env['OTEL_SERVICE_NAME'] ?? SERVICE_NAME,
    ...(options.spanProcessors ? { spanProcessors: options.spanProcessors } : {}),
    // Traces only: an empty list keeps the SDK from starting OTLP metric and log exporters.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}

/**
 * Exports the spans that processors still hold (the batch processor waits up to 5 s; every processor
 * waits for the resource's detectors): at shutdown, and in specs before reading an exporter.
 */
export async function flushSpans(): Promise<void> {
  const provider = trace.getTracerProvider();
  const delegate: object = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
  if ('forceFlush' in delegate && typeof delegate.forceFlush === 'function') await (delegate.forceFlush as () => Promise<void>).call(delegate);
}

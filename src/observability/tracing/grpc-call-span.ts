/**
 * A server span per gRPC call (`afrofashion.v1.DiffusionService/Generate`), child of the caller's
 * span when its metadata carries a W3C `traceparent`. The handler runs with the span active, so the
 * spans made for the call (its generation) are its children; the span ends with the call's status.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace, type Context, type TextMapGetter } from '@opentelemetry/api';
import type { Metadata } from '@grpc/grpc-js';
import { tracer } from './tracer';

const METADATA: TextMapGetter<Metadata> = {
  keys: (metadata) => Object.keys(metadata.getMap()),
  get: (metadata, key) => {
    const values = metadata.get(key).map(String);
    return values.length === 0 ? undefined : values;
  },
};

export interface CallSpan {
  /** The context to run the handler in. */
  readonly context: Context;
  /** Ends the span with the call's final status (its name and number). */
  end(statusName: string, code: number): void;
}

/** `startTime`: epoch milliseconds when the call began. */
export function startCallSpan(call: { getPath(): string; metadata?: Metadata }, startTime: number): CallSpan {
  const path = call.getPath();
  const [service = '', method = ''] = path.replace(/^\//, '').split('/');
  const parent = call.metadata ? propagation.extract(context.active(), call.metadata, METADATA) : context.active();
  const span = tracer.startSpan(`${service}/${method}`, { kind: SpanKind.SERVER, startTime, attributes: { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method } }, parent);
  return {
    context: trace.setSpan(parent, span),
    end: (statusName, code) => {
      span.setAttribute('rpc.grpc.status_code', code);
      // Server-side failures only: a client's mistake (INVALID_ARGUMENT, NOT_FOUND, …) is not the server's error.
      if (SERVER_ERRORS.has(statusName)) span.setStatus({ code: SpanStatusCode.ERROR, message: statusName });
      span.end();
    },
  };
}

const SERVER_ERRORS: ReadonlySet<string> = new Set(['UNKNOWN', 'DEADLINE_EXCEEDED', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS']);

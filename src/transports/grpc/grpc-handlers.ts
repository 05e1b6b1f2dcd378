/**
 * The one place where handler errors become gRPC statuses: handlers are written as plain (async)
 * functions and wrapped here, so none of them needs its own try/catch.
 */
import { Logger } from '@nestjs/common';
import { context, type Context } from '@opentelemetry/api';
import { status, type Metadata, type handleServerStreamingCall, type handleUnaryCall, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import { ErrorCode } from '../../common/error-code';
import { toApiError } from '../../error-mapping/to-api-error';
import { grpcCallObservers } from '../../observability/metrics/grpc-call-observers';
import { startCallSpan } from '../../observability/tracing/grpc-call-span';
import { toServiceError } from './grpc-status';
import { MalformedRequest } from './strict-requests';

const logger = new Logger('GrpcServer');
/** Probes are not logged per call (as /health/* over HTTP). */
const HEALTH_PREFIX = '/grpc.health.v1.';

/**
 * Starts timing a call (from `started`, a performance.now() reading, when it began earlier); `done`
 * reports it with its final status: metrics observers, one log line, the end of its trace span.
 * The handler runs in `context`, where the call's span is active.
 */
export function timeCall(call: { getPath(): string; getPeer?(): string; metadata?: Metadata }, started = performance.now()): { context: Context; done: (code: status) => void } {
  const span = startCallSpan(call, performance.timeOrigin + started);
  const done = (code: status): void => {
    const seconds = (performance.now() - started) / 1000;
    const statusName = status[code] ?? 'UNKNOWN';
    for (const observe of grpcCallObservers) {
      try {
        observe(call.getPath(), statusName, seconds);
      } catch {
        // An observer's bug must not keep the call from ending.
      }
    }
    // One line per call, as pino-http writes one per HTTP request (with the trace id when tracing).
    if (!call.getPath().startsWith(HEALTH_PREFIX)) context.with(span.context, () => logger.log({ grpc: { method: call.getPath(), status: statusName, durationMs: Math.round(seconds * 10_000) / 10, ...(call.getPeer ? { peer: call.getPeer() } : {}) } }, 'gRPC call completed'));
    span.end(statusName, code);
  };
  return { context: span.context, done };
}

/** The decoded request, or the INVALID_ARGUMENT of one that was not a valid message (see strict-requests.ts). */
function decoded<Req>(request: Req): Req {
  if ((request as unknown) instanceof MalformedRequest) throw (request as unknown as MalformedRequest).toApiError();
  return request;
}

function report(error: unknown): ReturnType<typeof toServiceError> {
  if (toApiError(error).code === ErrorCode.INTERNAL) logger.error(error instanceof Error ? error.stack : String(error));
  return toServiceError(error);
}

export function unary<Req, Res>(handler: (request: Req, call: ServerUnaryCall<Req, Res>) => Res | Promise<Res>): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const { context: active, done } = timeCall(call);
    context
      .with(active, () => Promise.resolve().then(() => handler(decoded(call.request), call)))
      .then(
        (response) => {
          done(status.OK);
          callback(null, response);
        },
        (error: unknown) => {
          const serviceError = report(error);
          done(serviceError.code);
          callback(serviceError);
        },
      );
  };
}

/** A server-streaming handler writes its messages and resolves when done; the wrapper ends the call or fails it with the error's status. */
export function serverStream<Req, Res>(handler: (request: Req, call: ServerWritableStream<Req, Res>) => Promise<void>): handleServerStreamingCall<Req, Res> {
  return (call) => {
    const { context: active, done } = timeCall(call);
    context
      .with(active, () => Promise.resolve().then(() => handler(decoded(call.request), call)))
      .then(
        () => {
          done(call.cancelled ? status.CANCELLED : status.OK);
          if (!call.cancelled) call.end();
        },
        (error: unknown) => {
          const serviceError = report(error);
          done(call.cancelled ? status.CANCELLED : serviceError.code);
          if (!call.cancelled) call.emit('error', serviceError);
        },
      );
  };
}

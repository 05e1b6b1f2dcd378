/**
 * The one place where handler errors become gRPC statuses: handlers are written as plain (async)
 * functions and wrapped here, so none of them needs its own try/catch.
 */
import { Logger } from '@nestjs/common';
import { status, type handleServerStreamingCall, type handleUnaryCall, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import { ErrorCode } from '../../common/error-code';
import { toApiError } from '../../error-mapping/to-api-error';
import { grpcCallObservers } from '../../observability/metrics/grpc-call-observers';
import { toServiceError } from './grpc-status';
import { MalformedRequest } from './strict-requests';

const logger = new Logger('GrpcServer');

/** Starts timing a call; the returned function reports it with its final status. */
export function timeCall(call: { getPath(): string }): (code: status) => void {
  const started = performance.now();
  return (code) => {
    const seconds = (performance.now() - started) / 1000;
    for (const observe of grpcCallObservers) {
      try {
        observe(call.getPath(), status[code] ?? 'UNKNOWN', seconds);
      } catch {
        // An observer's bug must not keep the call from ending.
      }
    }
  };
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
    const done = timeCall(call);
    Promise.resolve()
      .then(() => handler(decoded(call.request), call))
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
    const done = timeCall(call);
    Promise.resolve()
      .then(() => handler(decoded(call.request), call))
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

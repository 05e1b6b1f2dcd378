/**
 * The one place where handler errors become gRPC statuses: handlers are written as plain (async)
 * functions and wrapped here, so none of them needs its own try/catch.
 */
import { Logger } from '@nestjs/common';
import type { handleServerStreamingCall, handleUnaryCall, ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import { ErrorCode, toApiError } from '../common/error-code';
import { toServiceError } from './grpc-status';

const logger = new Logger('GrpcServer');

function report(error: unknown): ReturnType<typeof toServiceError> {
  if (toApiError(error).code === ErrorCode.INTERNAL) logger.error(error instanceof Error ? error.stack : String(error));
  return toServiceError(error);
}

export function unary<Req, Res>(handler: (request: Req, call: ServerUnaryCall<Req, Res>) => Res | Promise<Res>): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => handler(call.request, call))
      .then(
        (response) => callback(null, response),
        (error: unknown) => callback(report(error)),
      );
  };
}

/** A server-streaming handler writes its messages and resolves when done; the wrapper ends the call or fails it with the error's status. */
export function serverStream<Req, Res>(handler: (request: Req, call: ServerWritableStream<Req, Res>) => Promise<void>): handleServerStreamingCall<Req, Res> {
  return (call) => {
    Promise.resolve()
      .then(() => handler(call.request, call))
      .then(
        () => {
          if (!call.cancelled) call.end();
        },
        (error: unknown) => {
          if (!call.cancelled) call.emit('error', report(error));
        },
      );
  };
}

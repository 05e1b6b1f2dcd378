/**
 * Where the gRPC transport reports each finished call. It lives here, not in the transport, so
 * metrics import no transport: the gRPC server calls in, MetricsService subscribes.
 */

/** Told of every finished call (metrics): the method path (`/package.Service/Method`), the status name and the duration. */
export type GrpcCallObserver = (method: string, statusName: string, seconds: number) => void;
export const grpcCallObservers = new Set<GrpcCallObserver>();

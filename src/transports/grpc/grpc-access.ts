/**
 * gRPC's side of AccessService: every call of a guarded service is authenticated from its metadata
 * (`authorization: Bearer <key>` or `x-api-key`) and counted against the caller's tier before its
 * handler runs. Handlers read the caller with principalOf(call).
 */
import type { Metadata, ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Principal } from '../../auth/api-keys';
import type { AccessService } from '../../auth/access.service';
import { presentedApiKey } from '../../auth/credentials';
import type { RateLimitKind } from '../../auth/tiers';
import { timeCall } from './grpc-handlers';
import { toServiceError } from './grpc-status';

interface GuardedCall {
  readonly metadata: Metadata;
  getPeer(): string;
  getPath(): string;
  emit(event: 'error', error: unknown): boolean;
}

type AnyHandler = (call: GuardedCall, callback?: (error: unknown) => void) => void;

const principals = new WeakMap<object, Principal>();

/** The caller of a guarded call. */
export function principalOf(call: object): Principal {
  const principal = principals.get(call);
  if (!principal) throw new Error('principalOf: the call did not pass through guardService');
  return principal;
}

/** `ipv4:10.0.0.7:51234` → `10.0.0.7`; `ipv6:[::1]:51234` → `::1`. */
export function peerAddress(peer: string): string {
  const withoutScheme = peer.replace(/^(ipv4|ipv6|unix):/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(withoutScheme);
  if (bracketed) return bracketed[1] as string;
  return withoutScheme.replace(/:\d+$/, '');
}

export function guardService(
  definition: ServiceDefinition,
  implementation: UntypedServiceImplementation,
  access: AccessService,
  generationMethods: readonly string[],
  /** Methods only administrators may call. */
  adminMethods: readonly string[] = [],
): UntypedServiceImplementation {
  const guarded: UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(implementation)) {
    const method = definition[name];
    if (!method) throw new Error(`guardService: ${name} is not a method of the service`);
    const kind: RateLimitKind = generationMethods.includes(name) ? 'generations' : 'reads';
    const original = handler as unknown as AnyHandler;
    const check = async (call: GuardedCall): Promise<void> => {
      const principal = access.authenticate(
        presentedApiKey((header) => call.metadata.get(header)),
        peerAddress(call.getPeer()),
      );
      principals.set(call, principal);
      if (adminMethods.includes(name)) access.requireRole(principal, 'admin');
      await access.consume(principal, kind);
    };
    // A refused call is counted in the request metrics here, since its handler never runs.
    const guard = (call: GuardedCall, proceed: () => void, fail: (error: ReturnType<typeof toServiceError>) => void): void => {
      const started = performance.now();
      check(call).then(proceed, (error: unknown) => {
        const serviceError = toServiceError(error);
        timeCall(call, started).done(serviceError.code);
        fail(serviceError);
      });
    };
    const wrapped: AnyHandler = method.responseStream
      ? (call) => guard(call, () => original(call), (error) => call.emit('error', error))
      : (call, callback) => guard(call, () => original(call, callback), (error) => callback?.(error));
    guarded[name] = wrapped as unknown as UntypedServiceImplementation[string];
  }
  return guarded;
}

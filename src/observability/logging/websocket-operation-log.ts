/**
 * One log line per GraphQL operation over the websocket (subscriptions), as graphql-logging.plugin.ts
 * writes for operations over HTTP: operation and root field, the client's operation name, ok or
 * error (with the first error's code), and how long it ran. graphql-ws reports an operation's start,
 * its results, its errors and its end separately; this joins them per connection and operation id.
 */
import { Logger } from '@nestjs/common';
import type { GraphQLFormattedError } from 'graphql';

interface Operation {
  readonly operation: string;
  readonly operationName?: string;
  readonly started: number;
  code?: string;
  failed: boolean;
}

const logger = new Logger('GraphQL');

export class WebsocketOperationLog {
  private readonly connections = new WeakMap<object, Map<string, Operation>>();

  /** `operation`: as the metrics label it (`subscription generationEvents`, `invalid`). */
  begin(connection: object, id: string, operation: string, operationName: string | undefined): void {
    let operations = this.connections.get(connection);
    if (!operations) this.connections.set(connection, (operations = new Map()));
    operations.set(id, { operation, ...(operationName ? { operationName } : {}), started: performance.now(), failed: false });
  }

  /** Errors sent on the operation (in a result, or ending it); the first code is kept. */
  errors(connection: object, id: string, errors: readonly GraphQLFormattedError[]): void {
    const operation = this.connections.get(connection)?.get(id);
    if (!operation || errors.length === 0) return;
    operation.failed = true;
    const code = errors[0]?.extensions?.['code'];
    if (operation.code === undefined && typeof code === 'string') operation.code = code;
  }

  /** The operation ended (completed, failed, or its socket closed): its line. */
  end(connection: object, id: string): void {
    const operations = this.connections.get(connection);
    const operation = operations?.get(id);
    if (!operations || !operation) return;
    operations.delete(id);
    logger.log(
      {
        graphql: {
          operation: operation.operation,
          ...(operation.operationName ? { operationName: operation.operationName } : {}),
          transport: 'websocket',
          status: operation.failed ? 'error' : 'ok',
          ...(operation.code !== undefined ? { code: operation.code } : {}),
          durationMs: Math.round((performance.now() - operation.started) * 10) / 10,
        },
      },
      'GraphQL operation completed',
    );
  }
}

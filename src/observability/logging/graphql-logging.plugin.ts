/**
 * One log line per GraphQL operation over HTTP, beside pino-http's line for the POST /graphql
 * request: which operation (type and root field, as the metrics label it, and the client's
 * operation name), ok or error (with the first error's code), and how long it took.
 */
import { Plugin } from '@nestjs/apollo';
import { Logger } from '@nestjs/common';
import type { ApolloServerPlugin, BaseContext, GraphQLRequestContextWillSendResponse, GraphQLRequestListener } from '@apollo/server';
import { graphqlRoute } from '../metrics/graphql-metrics.plugin';

const logger = new Logger('GraphQL');

@Plugin()
export class GraphqlLoggingPlugin implements ApolloServerPlugin<BaseContext> {
  async requestDidStart(): Promise<GraphQLRequestListener<BaseContext>> {
    const started = performance.now();
    return {
      async willSendResponse(request: GraphQLRequestContextWillSendResponse<BaseContext>): Promise<void> {
        const body = request.response.body;
        const errors = request.errors ?? (body.kind === 'single' ? body.singleResult.errors : undefined) ?? [];
        const code = errors[0]?.extensions?.['code'];
        logger.log(
          {
            graphql: {
              operation: graphqlRoute(request.schema, request.operation),
              ...(request.operationName ? { operationName: request.operationName } : {}),
              status: errors.length > 0 ? 'error' : 'ok',
              ...(typeof code === 'string' ? { code } : {}),
              durationMs: Math.round((performance.now() - started) * 10) / 10,
            },
          },
          'GraphQL operation completed',
        );
      },
    };
  }
}

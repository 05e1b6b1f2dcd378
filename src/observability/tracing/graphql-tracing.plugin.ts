/**
 * A span per GraphQL operation over HTTP, child of the request's HTTP span: named by its operation
 * and root field as the metrics label it (`mutation generate`), with the client's operation name
 * and the outcome. Websocket operations (subscriptions) run outside Apollo's plugins.
 */
import { Plugin } from '@nestjs/apollo';
import type { ApolloServerPlugin, BaseContext, GraphQLRequestContextWillSendResponse, GraphQLRequestListener } from '@apollo/server';
import { context, SpanStatusCode } from '@opentelemetry/api';
import { graphqlRoute } from '../metrics/graphql-metrics.plugin';
import { tracer } from './tracer';

@Plugin()
export class GraphqlTracingPlugin implements ApolloServerPlugin<BaseContext> {
  async requestDidStart(): Promise<GraphQLRequestListener<BaseContext>> {
    const span = tracer.startSpan('graphql', {}, context.active());
    return {
      async willSendResponse(request: GraphQLRequestContextWillSendResponse<BaseContext>): Promise<void> {
        const body = request.response.body;
        const errors = request.errors ?? (body.kind === 'single' ? body.singleResult.errors : undefined) ?? [];
        const route = graphqlRoute(request.schema, request.operation);
        span.updateName(`graphql ${route}`);
        span.setAttribute('graphql.operation.type', request.operation?.operation ?? 'invalid');
        if (request.operationName) span.setAttribute('graphql.operation.name', request.operationName);
        if (errors.length > 0) span.setStatus({ code: SpanStatusCode.ERROR, message: String(errors[0]?.extensions?.['code'] ?? 'error') });
        span.end();
      },
    };
  }
}

/**
 * Times GraphQL operations over HTTP into `afd_request_duration_seconds{transport="graphql"}`:
 * route = operation type and root field (`mutation generate`, `query checkpoints`), `query multiple`
 * for several root fields, `invalid` when the document did not parse or validate; status ok/error.
 * Root fields are checked against the schema, so a client cannot invent label values.
 * Nest's Apollo driver finds it by its @Plugin() decorator (websocket subscriptions bypass plugins).
 */
import { Plugin } from '@nestjs/apollo';
import { Inject } from '@nestjs/common';
import type { ApolloServerPlugin, BaseContext, GraphQLRequestContextWillSendResponse, GraphQLRequestListener } from '@apollo/server';
import { Kind, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { MetricsService } from './metrics.service';

const INTROSPECTION_FIELDS: ReadonlySet<string> = new Set(['__schema', '__type', '__typename']);

/** The route label of an operation (`invalid` when it did not get past parsing and validation). */
export function graphqlRoute(schema: GraphQLSchema, operation: OperationDefinitionNode | undefined): string {
  if (!operation) return 'invalid';
  const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  const fields = operation.selectionSet.selections;
  if (fields.length !== 1) return `${operation.operation} multiple`;
  const [field] = fields;
  if (field?.kind !== Kind.FIELD) return `${operation.operation} fragment`;
  const name = field.name.value;
  const known = INTROSPECTION_FIELDS.has(name) || root?.getFields()[name] !== undefined;
  return `${operation.operation} ${known ? name : 'unknown'}`;
}

@Plugin()
export class GraphqlMetricsPlugin implements ApolloServerPlugin<BaseContext> {
  constructor(@Inject(MetricsService) private readonly metrics: MetricsService) {}

  async requestDidStart(): Promise<GraphQLRequestListener<BaseContext>> {
    const started = performance.now();
    const metrics = this.metrics;
    return {
      async willSendResponse(context: GraphQLRequestContextWillSendResponse<BaseContext>): Promise<void> {
        const body = context.response.body;
        const failed = (context.errors?.length ?? 0) > 0 || (body.kind === 'single' && (body.singleResult.errors?.length ?? 0) > 0);
        metrics.observeRequest('graphql', graphqlRoute(context.schema, context.operation), failed ? 'error' : 'ok', (performance.now() - started) / 1000);
      },
    };
  }
}

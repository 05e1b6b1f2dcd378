/**
 * GraphQL at /graphql (code-first, Apollo): queries, mutations and a graphql-ws subscription over
 * the same services as REST and gRPC, with depth and complexity limits on every operation.
 */
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type DynamicModule } from '@nestjs/common';
import { GraphQLModule, type GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { AppConfig } from '../config/app-config';
import { formatGraphQLError } from './graphql-errors';
import { complexityError, maxDepthRule, subscriptionsOnlyRule } from './query-limits';
import { CheckpointsResolver } from './resolvers/checkpoints.resolver';
import { ComparisonsResolver } from './resolvers/comparisons.resolver';
import { GeneratedImageResolver, GenerationsResolver } from './resolvers/generations.resolver';
import { PromptsResolver } from './resolvers/prompts.resolver';

export const GRAPHQL_PATH = '/graphql';

export const GRAPHQL_RESOLVERS = [CheckpointsResolver, GenerationsResolver, GeneratedImageResolver, ComparisonsResolver, PromptsResolver];

@Module({})
export class GraphqlApiModule {
  static forRoot(config: Pick<AppConfig, 'graphqlMaxDepth' | 'graphqlMaxComplexity'>): DynamicModule {
    const depthRule = maxDepthRule(config.graphqlMaxDepth);
    return {
      module: GraphqlApiModule,
      imports: [
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          path: GRAPHQL_PATH,
          autoSchemaFile: true,
          sortSchema: true,
          playground: false,
          introspection: true,
          includeStacktraceInErrorResponses: false,
          validationRules: [depthRule],
          plugins: [complexityPlugin(config.graphqlMaxComplexity)],
          formatError: formatGraphQLError,
          subscriptions: {
            // Websocket operations bypass Apollo's plugins: the depth limit runs as a validation rule there,
            // and the websocket takes subscriptions only (see subscriptionsOnlyRule).
            // (Nest's type omits graphql-ws's `validate` option; Nest hands every option to graphql-ws.)
            'graphql-ws': {
              path: GRAPHQL_PATH,
              validate: (schema: GraphQLSchema, document: DocumentNode) =>
                validate(schema, document, [...specifiedRules, depthRule, subscriptionsOnlyRule]),
            } as GraphQLWsSubscriptionsConfig,
          },
        }),
      ],
    };
  }
}

function complexityPlugin(maxComplexity: number): ApolloServerPlugin {
  return {
    requestDidStart: async () => ({
      didResolveOperation: async ({ request, document, schema }) => {
        const error = complexityError(schema, document, request.variables, request.operationName, maxComplexity);
        if (error) throw error;
      },
    }),
  };
}

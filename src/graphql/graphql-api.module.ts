/**
 * GraphQL at /graphql (code-first, Apollo): queries, mutations and a graphql-ws subscription over
 * the same services as REST and gRPC, with depth and complexity limits on every operation.
 */
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type DynamicModule } from '@nestjs/common';
import { GraphQLModule, type GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { IncomingMessage } from 'node:http';
import { PRINCIPAL, type WithPrincipal } from '../auth/access.decorators';
import { AccessService } from '../auth/access.service';
import { presentedApiKey } from '../auth/credentials';
import type { AppConfig } from '../config/app-config';
import { formatGraphQLError } from './graphql-errors';
import { complexityError, maxDepthRule, noSubscriptionsOverHttpRule, subscriptionsOnlyRule } from './query-limits';
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
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          inject: [AccessService],
          useFactory: (access: AccessService): ApolloDriverConfig => ({
            path: GRAPHQL_PATH,
            autoSchemaFile: true,
            sortSchema: true,
            playground: false,
            introspection: true,
            includeStacktraceInErrorResponses: false,
            // HTTP: queries and mutations (subscriptions are refused by name); the websocket has its own rules below.
            validationRules: [depthRule, noSubscriptionsOverHttpRule],
            plugins: [complexityPlugin(config.graphqlMaxComplexity)],
            formatError: formatGraphQLError,
            subscriptions: {
              // Websocket operations bypass Apollo's plugins: the depth limit runs as a validation rule there,
              // and the websocket takes subscriptions only (see subscriptionsOnlyRule).
              // (Nest's type omits graphql-ws's `validate` option; Nest hands every option to graphql-ws.)
              'graphql-ws': {
                path: GRAPHQL_PATH,
                // The key comes once per connection, in connection params (or the upgrade request's headers).
                onConnect: (ctx) => authenticateConnection(access, ctx),
                validate: (schema: GraphQLSchema, document: DocumentNode) =>
                  validate(schema, document, [...specifiedRules, depthRule, subscriptionsOnlyRule]),
              } as GraphQLWsSubscriptionsConfig,
            },
          }),
        }),
      ],
    };
  }
}

/** graphql-ws onConnect: false closes the socket with 4403 Forbidden. The principal rides on the connection's context. */
function authenticateConnection(access: AccessService, ctx: { connectionParams?: Readonly<Record<string, unknown>>; extra: unknown }): boolean {
  const params = ctx.connectionParams ?? {};
  const request = (ctx.extra as { request?: IncomingMessage }).request;
  try {
    const key = presentedApiKey((name) => params[name] ?? params[name === 'x-api-key' ? 'apiKey' : 'Authorization'] ?? request?.headers[name]);
    (ctx as WithPrincipal)[PRINCIPAL] = access.authenticate(key, request?.socket.remoteAddress);
    return true;
  } catch {
    return false;
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

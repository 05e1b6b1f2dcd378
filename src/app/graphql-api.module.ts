/**
 * GraphQL at /graphql (code-first, Apollo): queries, mutations and a graphql-ws subscription over
 * the same services as REST and gRPC. Every operation is bounded before it costs anything: the
 * document's size, tokens and nesting before parsing (HTTP: middleware in front of Apollo; websocket:
 * on subscribe), its depth and expanded fields while validating, its estimated cost before running (HTTP).
 */
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Inject, Module, RequestMethod, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Request } from 'express';
import { AccessService } from '../auth/access.service';
import type { GraphqlLimitsConfig } from '../config/app-config';
import { complexityError, MAX_ESTIMATED_NODES } from '../transports/graphql/complexity-limit';
import type { DocumentLimits } from '../transports/graphql/document-limits';
import { documentLimitsMiddleware } from '../transports/graphql/document-limits.middleware';
import { formatGraphQLError } from '../transports/graphql/graphql-errors';
import { GRAPHQL_WS_SETTINGS, GraphqlWsServer, type GraphqlWsSettings } from './graphql-ws.server';
import { countIntrospectionRead, reachesNoResolver } from '../transports/graphql/introspection-reads';
import { maxDepthRule, maxExpandedFieldsRule, noSubscriptionsOverHttpRule } from '../transports/graphql/query-limits';
import { GRAPHQL_PATH } from '../common/route-paths';

export { GRAPHQL_PATH };

const DOCUMENT_LIMITS = Symbol('DOCUMENT_LIMITS');

@Module({})
export class GraphqlApiModule implements NestModule {
  constructor(@Inject(DOCUMENT_LIMITS) private readonly limits: DocumentLimits) {}

  static forRoot(config: GraphqlLimitsConfig): DynamicModule {
    const limitRules = [maxDepthRule(config.maxDepth), maxExpandedFieldsRule(MAX_ESTIMATED_NODES)];
    const limits: DocumentLimits = { maxBytes: config.maxQueryBytes, maxTokens: config.maxTokens };
    const wsSettings: GraphqlWsSettings = {
      path: GRAPHQL_PATH,
      limits,
      limitRules,
      // The query arrives JSON-escaped (up to twice its size) inside the subscribe message.
      maxMessageBytes: 2 * config.maxQueryBytes,
    };
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
            // The middleware has checked the document; the parser's own token cap stays as a second guard.
            parseOptions: { maxTokens: limits.maxTokens },
            // HTTP: queries and mutations (subscriptions are refused by name); the websocket has its own server (GraphqlWsServer).
            validationRules: [...limitRules, noSubscriptionsOverHttpRule],
            plugins: [operationLimitsPlugin(config.maxComplexity, access)],
            formatError: formatGraphQLError,
          }),
        }),
      ],
      providers: [{ provide: DOCUMENT_LIMITS, useValue: limits }, { provide: GRAPHQL_WS_SETTINGS, useValue: wsSettings }, GraphqlWsServer],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // Apollo is mounted as a prefix (app.use), so it also answers /graphql/anything: so must the limits.
    consumer.apply(documentLimitsMiddleware(this.limits)).forRoutes({ path: GRAPHQL_PATH, method: RequestMethod.ALL }, { path: `${GRAPHQL_PATH}/*rest`, method: RequestMethod.ALL });
  }
}

/** After validation, before anything runs: the complexity limit, and one read counted for operations no resolver guard sees. */
function operationLimitsPlugin(maxComplexity: number, access: AccessService): ApolloServerPlugin<BaseContext> {
  return {
    requestDidStart: async () => ({
      didResolveOperation: async ({ request, document, schema, operation, contextValue }) => {
        const error = complexityError(schema, document, request.variables, request.operationName, maxComplexity);
        if (error) throw error;
        if (operation && reachesNoResolver(operation, document)) await countIntrospectionRead(access, (contextValue as { req?: Request }).req);
      },
    }),
  };
}

/**
 * graphql-ws at /graphql on the HTTP server's upgrade, run here rather than by Nest's Apollo driver
 * so that the websocket has a message size limit (ws's default is 100 MiB, read before the key is
 * checked) and the same document limits as HTTP:
 * - every message is at most `maxMessageBytes` (ws refuses a larger frame from its header, before
 *   reading it, closing with 1009), and a socket whose connection_init was not yet accepted may send
 *   only PRE_AUTH_MAX_MESSAGE_BYTES;
 * - each subscribe is checked against the document limits, parsed with the token cap and validated
 *   (depth, expanded fields, subscriptions only) before graphql-ws runs it;
 * - errors leave through formatGraphQLError, and a failure inside the server is logged, never sent.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { GraphQLError, getOperationAST, specifiedRules, validate, type ExecutionArgs, type ExecutionResult, type GraphQLSchema, type ValidationRule } from 'graphql';
import { CloseCode, handleProtocols, makeServer, type Context, type FormattedExecutionResult, type SubscribePayload } from 'graphql-ws';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { PRINCIPAL, type WithPrincipal } from '../auth/access.decorators';
import { AccessService } from '../auth/access.service';
import { presentedApiKey } from '../auth/credentials';
import { documentLimitError, parseWithinLimits, type DocumentLimits } from '../transports/graphql/document-limits';
import { formatGraphQLError } from '../transports/graphql/graphql-errors';
import { subscriptionsOnlyRule } from '../transports/graphql/query-limits';
import { graphqlRoute } from '../observability/metrics/graphql-metrics.plugin';
import { WebsocketOperationLog } from '../observability/logging/websocket-operation-log';

export const GRAPHQL_WS_SETTINGS = Symbol('GRAPHQL_WS_SETTINGS');

export interface GraphqlWsSettings {
  readonly path: string;
  readonly limits: DocumentLimits;
  /** The limit rules HTTP validates with (depth, expanded fields). */
  readonly limitRules: readonly ValidationRule[];
  /** Largest websocket message (a subscribe carries the query JSON-escaped, and its variables). */
  readonly maxMessageBytes: number;
}

/** Before connection_init is accepted, a client has nothing to send but its key: a larger message closes the socket (1009). */
export const PRE_AUTH_MAX_MESSAGE_BYTES = 4096;
/** A ping every 12 s; a socket that has not answered the previous one is dropped. */
const KEEP_ALIVE_MS = 12_000;
/** How long clients get to answer the close handshake at shutdown. */
const CLOSE_HANDSHAKE_MS = 2000;
/** RFC 6455 "message too big". */
const MESSAGE_TOO_BIG = 1009;

interface Extra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
  authenticated: boolean;
  /** Who the connection is for, once connection_init was accepted (for its log lines). */
  clientId?: string;
}

@Injectable()
export class GraphqlWsServer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('GraphQL');
  private readonly operationLog = new WebsocketOperationLog();
  private wss?: WebSocketServer;
  private httpServer?: HttpServer;
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => this.upgrade(request, socket, head);

  constructor(
    @Inject(GRAPHQL_WS_SETTINGS) private readonly settings: GraphqlWsSettings,
    @Inject(GraphQLSchemaHost) private readonly schemaHost: GraphQLSchemaHost,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(AccessService) private readonly access: AccessService,
  ) {}

  onApplicationBootstrap(): void {
    const schema = this.schemaHost.schema;
    const wss = new WebSocketServer({ noServer: true, maxPayload: this.settings.maxMessageBytes, handleProtocols });
    const rules = [...specifiedRules, ...this.settings.limitRules, subscriptionsOnlyRule];
    const server = makeServer<Record<string, unknown> | undefined, Extra>({
      schema,
      // What Nest's driver gave resolvers: the connection context as `req`, carrying the principal.
      context: (ctx) => ({ req: ctx }),
      onConnect: (ctx) => this.authenticate(ctx),
      onSubscribe: (ctx, id, payload) => {
        const prepared = prepare(schema, payload, this.settings.limits, rules);
        const operation = 'document' in prepared ? getOperationAST(prepared.document, payload.operationName) : null;
        this.operationLog.begin(ctx.extra, id, graphqlRoute(schema, operation ?? undefined), payload.operationName ?? undefined);
        return prepared;
      },
      onNext: (ctx, id, _payload, _args, result) => {
        const formatted = formatResult(result);
        if (formatted?.errors) this.operationLog.errors(ctx.extra, id, formatted.errors);
        return formatted;
      },
      onError: (ctx, id, _payload, errors) => {
        const formatted = errors.map((error) => formatGraphQLError(error.toJSON(), error));
        this.operationLog.errors(ctx.extra, id, formatted);
        this.operationLog.end(ctx.extra, id);
        return formatted;
      },
      onComplete: (ctx, id) => this.operationLog.end(ctx.extra, id),
    });
    wss.on('connection', (socket: WebSocket, request: IncomingMessage) => this.serve(server, socket, request));
    this.wss = wss;
    this.httpServer = this.adapterHost.httpAdapter.getHttpServer() as HttpServer;
    this.httpServer.on('upgrade', this.onUpgrade);
  }

  async onModuleDestroy(): Promise<void> {
    this.httpServer?.off('upgrade', this.onUpgrade);
    const wss = this.wss;
    if (!wss) return;
    for (const client of wss.clients) client.close(1001, 'Going away');
    // A client that never answers the close handshake would hold shutdown for ws's 30 s: cut it sooner.
    const cut = setTimeout(() => wss.clients.forEach((client) => client.terminate()), CLOSE_HANDSHAKE_MS).unref();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    clearTimeout(cut);
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (request.url ?? '').split('?')[0];
    if (path !== this.settings.path || !this.wss) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const wss = this.wss;
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  }

  private serve(server: ReturnType<typeof makeServer<Record<string, unknown> | undefined, Extra>>, socket: WebSocket, request: IncomingMessage): void {
    const extra: Extra = { socket, request, authenticated: false };
    const connectedAt = performance.now();
    const remoteAddress = request.socket.remoteAddress ?? 'unknown';
    // One line when a websocket opens and one when it closes, as HTTP requests and gRPC calls get one each.
    this.logger.log({ websocket: { event: 'connected', remoteAddress, protocol: socket.protocol } }, 'websocket connected');
    // ws reports a refused frame (over maxPayload: closed 1009) or a protocol error here, then closes the socket itself.
    socket.on('error', (error) => this.logger.debug(`websocket from ${request.socket.remoteAddress ?? 'unknown'} closed: ${error.message}`));
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) => new Promise<void>((resolve, reject) => (socket.readyState === socket.OPEN ? socket.send(data, (error) => (error ? reject(error) : resolve())) : resolve())),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', (data: RawData) => {
            if (!extra.authenticated && byteLengthOf(data) > PRE_AUTH_MAX_MESSAGE_BYTES) {
              socket.close(MESSAGE_TOO_BIG, `message too big before connection_init was accepted (limit ${PRE_AUTH_MAX_MESSAGE_BYTES} bytes)`);
              return;
            }
            handle(String(data)).catch((error: unknown) => {
              this.logger.error(`graphql-ws message handling failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
              socket.close(CloseCode.InternalServerError, 'internal error');
            });
          }),
      },
      extra,
    );
    let answered = true;
    socket.on('pong', () => (answered = true));
    const keepAlive = setInterval(() => {
      if (!answered) return socket.terminate();
      answered = false;
      socket.ping();
    }, KEEP_ALIVE_MS);
    socket.once('close', (code, reason) => {
      clearInterval(keepAlive);
      const durationMs = Math.round(performance.now() - connectedAt);
      this.logger.log({ websocket: { event: 'disconnected', remoteAddress, ...(extra.clientId ? { client: extra.clientId } : {}), code, reason: String(reason), durationMs } }, 'websocket disconnected');
      closed(code, String(reason)).catch((error: unknown) => this.logger.error(`graphql-ws close handling failed: ${String(error)}`));
    });
  }

  /** onConnect: false closes the socket with 4403 Forbidden. The principal rides on the connection's context. */
  private authenticate(ctx: Context<Record<string, unknown> | undefined, Extra>): boolean {
    const params = ctx.connectionParams ?? {};
    const request = ctx.extra.request;
    try {
      const key = presentedApiKey((name) => params[name] ?? params[name === 'x-api-key' ? 'apiKey' : 'Authorization'] ?? request.headers[name]);
      const principal = this.access.authenticate(key, request.socket.remoteAddress);
      (ctx as WithPrincipal)[PRINCIPAL] = principal;
      ctx.extra.authenticated = true;
      ctx.extra.clientId = principal.clientId;
      return true;
    } catch {
      return false;
    }
  }
}

function byteLengthOf(data: RawData): number {
  return Array.isArray(data) ? data.reduce((total, chunk) => total + chunk.byteLength, 0) : data.byteLength;
}

/** onSubscribe: the document limits, then parse (token cap) and validate; errors go back on the subscription, tagged as Apollo tags them on HTTP. */
function prepare(schema: GraphQLSchema, payload: SubscribePayload, limits: DocumentLimits, rules: readonly ValidationRule[]): ExecutionArgs | readonly GraphQLError[] {
  const refused = documentLimitError(payload.query, limits);
  if (refused) return [refused];
  let document;
  try {
    document = parseWithinLimits(payload.query, limits);
  } catch (error) {
    if (error instanceof GraphQLError) return [tagged(error, 'GRAPHQL_PARSE_FAILED')];
    throw error;
  }
  const errors = validate(schema, document, rules);
  if (errors.length > 0) return errors.map((error) => tagged(error, 'GRAPHQL_VALIDATION_FAILED'));
  return { schema, document, operationName: payload.operationName, variableValues: payload.variables };
}

function tagged(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, originalError: error.originalError, extensions: { ...error.extensions, code } });
}

/** Execution results (a subscription's events, or the errors of one that could not start) with their errors formatted. */
function formatResult(result: ExecutionResult): FormattedExecutionResult | undefined {
  if (!result.errors) return undefined;
  return { ...result, errors: result.errors.map((error) => formatGraphQLError(error.toJSON(), error)) };
}

/**
 * The gRPC listener for internal tooling: a plain @grpc/grpc-js server owned by Nest, serving the
 * domain services (afrofashion.v1), grpc.health.v1 and server reflection on GRPC_PORT, beside the HTTP listener.
 */
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { CheckpointsService } from '../checkpoints/checkpoints.service';
import { ComparisonsService } from '../comparisons/comparisons.service';
import type { AppConfig } from '../config/app-config';
import { Generations } from '../generation/generations';
import { PromptsService } from '../prompts/prompts.service';
import { AccessService } from '../auth/access.service';
import { ReadinessService } from '../observability/health/readiness.service';
import { diffusionHandlers } from './diffusion.grpc-handlers';
import { guardService } from '../transports/grpc/grpc-access';
import { loadProtos } from '../transports/grpc/grpc-protos';
import { healthHandlers, SERVED_SERVICES } from './health.grpc-handlers';
import { HealthWatch } from './health-watch';
import { promptHandlers } from '../prompts/prompts.grpc-handlers';
import { SamplersService } from '../samplers/samplers.service';
import { strictRequests } from '../transports/grpc/strict-requests';

/** The AppConfig as GrpcServer receives it. */
export const GRPC_APP_CONFIG = Symbol('GRPC_APP_CONFIG');

@Injectable()
export class GrpcServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('GrpcServer');
  private server?: Server;
  private serving = false;
  private boundPort?: number;
  private readonly healthWatch = new HealthWatch(() => this.isServing(), SERVED_SERVICES);

  constructor(
    @Inject(GRPC_APP_CONFIG) private readonly config: AppConfig,
    @Inject(Generations) private readonly generations: Generations,
    @Inject(CheckpointsService) private readonly checkpoints: CheckpointsService,
    @Inject(PromptsService) private readonly prompts: PromptsService,
    @Inject(ComparisonsService) private readonly comparisons: ComparisonsService,
    @Inject(SamplersService) private readonly samplers: SamplersService,
    @Inject(AccessService) private readonly access: AccessService,
    @Inject(ReadinessService) private readonly readiness: ReadinessService,
  ) {}

  /** The port bound (the chosen one when GRPC_PORT is 0); undefined before bootstrap. */
  get port(): number | undefined {
    return this.boundPort;
  }

  private async isServing(): Promise<boolean> {
    return this.serving && (await this.readiness.state()).ready;
  }

  async onApplicationBootstrap(): Promise<void> {
    const protos = loadProtos();
    const server = new Server();
    // Health and reflection stay open (probes and tooling); the domain services need a key when keys are configured.
    // Requests are checked against the wire format before they are decoded (strict-requests.ts): a malformed one is INVALID_ARGUMENT.
    const diffusion = strictRequests(protos.diffusion.service, protos.definition);
    const prompts = strictRequests(protos.prompts.service, protos.definition);
    server.addService(diffusion, guardService(diffusion, diffusionHandlers(this.generations, this.checkpoints, this.comparisons, this.samplers), this.access, ['Generate', 'Compare', 'CompareStream'], ['LoadCheckpoint', 'UnloadCheckpoint']));
    server.addService(prompts, guardService(prompts, promptHandlers(this.prompts), this.access, []));
    // SERVING once the default checkpoint is warmed up (as /health/ready), NOT_SERVING while draining.
    // Strict too: a Check or Watch whose bytes are not a HealthCheckRequest is INVALID_ARGUMENT, never INTERNAL.
    server.addService(strictRequests(protos.health.service, protos.definition), healthHandlers(() => this.isServing(), this.healthWatch));
    // Server reflection (v1 and v1alpha), so grpcurl and grpcui work without the .proto files.
    new ReflectionService(protos.definition).addToServer(server);
    const host = this.config.http.host.includes(':') ? `[${this.config.http.host}]` : this.config.http.host;
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${host}:${this.config.grpc.port}`, ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
    );
    this.server = server;
    this.serving = true;
    this.logger.log(`gRPC listening on ${host}:${this.boundPort} (afrofashion.v1, grpc.health.v1, reflection)`);
  }

  /**
   * Before the pool stops: refuse new calls and let calls in flight end with their own final status.
   * A Generate stream is never cut while its job runs: calls get what is left of the grace period
   * (nothing after the SIGTERM path, where every local job has already ended: graceful-shutdown.ts;
   * all of it on app.close() alone), then the jobs behind the calls still open are ended
   * (UNAVAILABLE, server shutting down) so their streams get that final status. Only a client that
   * does not take its final status is cut.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.serving = false;
    this.server = undefined;
    // Watchers hear NOT_SERVING now, and their open calls end so that they do not hold the server.
    this.healthWatch.close();
    const closed = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    if (await settlesWithin(closed, this.readiness.graceLeftMs(this.config.shutdown.graceMs))) return;
    this.readiness.cancelRemaining();
    if (await settlesWithin(closed, FINAL_STATUS_MS)) return;
    this.logger.warn(`gRPC calls still open ${FINAL_STATUS_MS} ms after their final status was sent; closing their connections`);
    server.forceShutdown();
  }
}

/** How long calls whose jobs have ended get to deliver their final status before the connections are cut. */
const FINAL_STATUS_MS = 5_000;

function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]).finally(() => clearTimeout(timer));
}

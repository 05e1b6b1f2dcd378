/**
 * The Nest face of the inference pool: one InferencePool per application, started with the
 * module and closed gracefully on shutdown (in-flight work finishes or fails clearly, workers exit).
 * The pool itself (src/pool) knows nothing of Nest.
 */
import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { InferencePool, type InferencePoolConfig, type PoolEvent } from '../pool';
import { PoolEventBus } from './pool-event-bus';

export const INFERENCE_POOL_CONFIG = Symbol('INFERENCE_POOL_CONFIG');
/** How long shutdown lets running jobs finish before failing them (milliseconds). */
export const POOL_SHUTDOWN_GRACE_MS = Symbol('POOL_SHUTDOWN_GRACE_MS');

@Injectable()
class InferencePoolShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(InferencePool) private readonly pool: InferencePool,
    @Inject(POOL_SHUTDOWN_GRACE_MS) private readonly graceMs: number,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.close({ timeoutMs: this.graceMs });
  }
}

@Module({})
export class InferenceModule {
  static forRoot(config: InferencePoolConfig, shutdownGraceMs = 30_000): DynamicModule {
    return {
      module: InferenceModule,
      global: true,
      providers: [
        { provide: INFERENCE_POOL_CONFIG, useValue: config },
        { provide: POOL_SHUTDOWN_GRACE_MS, useValue: shutdownGraceMs },
        // The pool's events go to the config's own onEvent and to every PoolEventBus listener (metrics).
        { provide: PoolEventBus, useFactory: () => new PoolEventBus() },
        { provide: InferencePool, inject: [INFERENCE_POOL_CONFIG, PoolEventBus], useFactory: startPool },
        InferencePoolShutdown,
      ],
      exports: [InferencePool, PoolEventBus],
    };
  }
}

async function startPool(config: InferencePoolConfig, bus: PoolEventBus): Promise<InferencePool> {
  const onEvent = (event: PoolEvent): void => {
    try {
      config.onEvent?.(event);
    } finally {
      bus.publish(event);
    }
  };
  const pool = await InferencePool.start({ ...config, onEvent });
  bus.markStarted();
  return pool;
}

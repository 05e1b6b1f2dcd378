/**
 * The Nest face of the inference pool: one InferencePool per application, started with the
 * module and closed gracefully on shutdown (in-flight work finishes or fails clearly, workers exit).
 * The pool itself (src/pool) knows nothing of Nest.
 */
import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { InferencePool, type InferencePoolConfig } from '../pool';

export const INFERENCE_POOL_CONFIG = Symbol('INFERENCE_POOL_CONFIG');

@Injectable()
class InferencePoolShutdown implements OnApplicationShutdown {
  constructor(@Inject(InferencePool) private readonly pool: InferencePool) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }
}

@Module({})
export class InferenceModule {
  static forRoot(config: InferencePoolConfig): DynamicModule {
    return {
      module: InferenceModule,
      global: true,
      providers: [
        { provide: INFERENCE_POOL_CONFIG, useValue: config },
        { provide: InferencePool, inject: [INFERENCE_POOL_CONFIG], useFactory: (c: InferencePoolConfig) => InferencePool.start(c) },
        InferencePoolShutdown,
      ],
      exports: [InferencePool],
    };
  }
}

/**
 * Traces (README.md, "Operations"): the generation and UNet-call spans (JobTracing, which
 * GenerationService calls), the GraphQL operation span, and at shutdown a flush of the spans not yet
 * exported. The SDK itself is started by main.ts before the app (tracing-sdk.ts); the HTTP span
 * middleware is mounted by create-app.ts and the gRPC call span by the gRPC handler wrappers.
 */
import { Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import { GraphqlTracingPlugin } from './graphql-tracing.plugin';
import { JobTracing } from './job-tracing';
import { flushSpans } from './tracing-sdk';

@Global()
@Module({ providers: [JobTracing, GraphqlTracingPlugin], exports: [JobTracing] })
export class TracingModule implements OnApplicationShutdown {
  /** The batch processor holds spans for up to 5 s: export them before the process exits. */
  onApplicationShutdown(): Promise<void> {
    return flushSpans();
  }
}

/** The .proto definitions under proto/, loaded at run time (the same path from src/transports/grpc under Jest and dist/transports/grpc). */
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync, type Options, type PackageDefinition } from '@grpc/proto-loader';
import { resolve } from 'node:path';

export const PROTO_ROOT = resolve(__dirname, '../../../proto');
export const PROTO_FILES = ['afrofashion/v1/diffusion.proto', 'grpc/health/v1/health.proto'] as const;

/**
 * Fields in lowerCamelCase (as the proto3 JSON mapping), 64-bit integers as decimal strings, enums as
 * their names; absent fields stay absent (no defaults filled in) so optional settings take the server's defaults.
 */
export const PROTO_LOADER_OPTIONS: Options = { keepCase: false, longs: String, enums: String, defaults: false, arrays: true, oneofs: true, includeDirs: [PROTO_ROOT] };

export interface AfdProtos {
  readonly diffusion: ServiceClientConstructor;
  readonly prompts: ServiceClientConstructor;
  readonly health: ServiceClientConstructor;
  /** What the reflection service describes. */
  readonly definition: PackageDefinition;
}

export function loadProtos(options: Options = PROTO_LOADER_OPTIONS): AfdProtos {
  const definition = loadSync([...PROTO_FILES], { ...PROTO_LOADER_OPTIONS, ...options });
  const root = loadPackageDefinition(definition);
  const pkg = (path: string): GrpcObject => path.split('.').reduce((o, name) => o[name] as GrpcObject, root);
  return {
    diffusion: pkg('afrofashion.v1')['DiffusionService'] as ServiceClientConstructor,
    prompts: pkg('afrofashion.v1')['PromptService'] as ServiceClientConstructor,
    health: pkg('grpc.health.v1')['Health'] as ServiceClientConstructor,
    definition,
  };
}

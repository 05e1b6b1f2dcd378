/** The configuration end-to-end specs start the app with: open (no keys), generous limits, quiet logs, any free gRPC port. */
import { loadAppConfig, type AppConfig } from '../../src/config/app-config';

export function testAppConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadAppConfig({ GRPC_PORT: '0', AFD_LOG_LEVEL: 'warn', AFD_ALLOW_OPEN: 'true', AFD_OPEN_TIER: 'internal', ...overrides });
}

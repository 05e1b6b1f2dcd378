import { Logger } from '@nestjs/common';
import { loadAppConfig } from './config/app-config';
import { createApp } from './create-app';

async function main(): Promise<void> {
  const config = loadAppConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  Logger.log(`listening on http://${config.host}:${config.port} (REST under /v1, OpenAPI at /docs)`, 'Main');
}

main().catch((error: unknown) => {
  console.error(`start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});

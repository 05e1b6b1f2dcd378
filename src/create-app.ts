/** Builds the Nest application (used by main.ts and by the end-to-end tests). */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { loadRegistry } from './checkpoints/checkpoint-registry';
import type { AppConfig } from './config/app-config';

export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const registry = loadRegistry(config.registryFile);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.create(config, registry), { bodyParser: false, logger: [...config.logLevels] });
  app.useBodyParser('json', { limit: config.bodyLimit });
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle('Afro Fashion Diffusion API').setDescription('Text-to-image generation with the Afro Fashion Stable Diffusion checkpoints').setVersion('1').build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}

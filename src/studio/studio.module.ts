import { Module } from '@nestjs/common';
import { STUDIO_ROOT, StudioController } from './studio.controller';
import { findStudioRoot } from './studio-files';

@Module({ controllers: [StudioController], providers: [{ provide: STUDIO_ROOT, useFactory: () => findStudioRoot() }] })
export class StudioModule {}

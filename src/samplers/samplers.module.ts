/** Samplers: the list of schedulers a generation may name, over REST, GraphQL and gRPC. */
import { Module } from '@nestjs/common';
import { SamplersController } from './samplers.controller';
import { SamplersResolver } from './samplers.resolver';
import { SamplersService } from './samplers.service';

@Module({
  controllers: [SamplersController],
  providers: [SamplersService, SamplersResolver],
  exports: [SamplersService],
})
export class SamplersModule {}

/** Fashion prompts: vocabulary, building, parsing and tokenizing, over REST, GraphQL and gRPC. */
import { Module } from '@nestjs/common';
import { PromptsController } from './prompts.controller';
import { PromptsResolver } from './prompts.resolver';
import { PromptsService } from './prompts.service';

@Module({
  controllers: [PromptsController],
  providers: [PromptsService, PromptsResolver],
  exports: [PromptsService],
})
export class PromptsModule {}

/**
 * The OpenAI-compatible images API (REST only, by design: it exists for clients built on OpenAI's
 * SDKs). It runs on the native generations (one queue, one set of limits and metrics) and answers
 * errors in OpenAI's shape through OPENAI_ERROR_FACE, which the application hands to the REST
 * error filter.
 */
import { Module, type DynamicModule } from '@nestjs/common';
import { OpenAiImagesController } from './openai-images.controller';
import { OpenAiImagesService } from './openai-images.service';
import { OpenAiModelsController } from './openai-models.controller';
import { OpenAiModelsService } from './openai-models.service';

@Module({})
export class OpenAiCompatModule {
  /** `generations` is the application's GenerationModule (Generations is what the images route calls). */
  static forRoot(generations: DynamicModule): DynamicModule {
    return {
      module: OpenAiCompatModule,
      imports: [generations],
      controllers: [OpenAiImagesController, OpenAiModelsController],
      providers: [OpenAiImagesService, OpenAiModelsService],
    };
  }
}

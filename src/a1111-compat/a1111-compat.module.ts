/**
 * The AUTOMATIC1111-compatible API (REST only, by design: it exists for the tools that speak the
 * web UI's /sdapi/v1 API). It runs on the native generations (one queue, one set of limits and
 * metrics) and answers errors in the web UI's shapes through A1111_ERROR_FACE, which the
 * application hands to the REST error filter.
 */
import { Module, type DynamicModule } from '@nestjs/common';
import { A1111ClientStates } from './a1111-client-state';
import { A1111ImagesController } from './a1111-images.controller';
import { A1111ImagesService } from './a1111-images.service';
import { A1111StateController } from './a1111-state.controller';
import { A1111StateService } from './a1111-state.service';

@Module({})
export class A1111CompatModule {
  /** `generations` is the application's GenerationModule (Generations is what txt2img and img2img call). */
  static forRoot(generations: DynamicModule): DynamicModule {
    return {
      module: A1111CompatModule,
      imports: [generations],
      controllers: [A1111ImagesController, A1111StateController],
      providers: [A1111ClientStates, A1111ImagesService, A1111StateService],
    };
  }
}

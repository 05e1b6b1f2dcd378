import { Injectable } from '@nestjs/common';
import { SAMPLERS } from '../engine/schedulers';
import type { SamplerView } from './sampler.schemas';

/** The engine's sampler catalogue as the API shows it (static: it is the code's). */
@Injectable()
export class SamplersService {
  list(): SamplerView[] {
    return SAMPLERS.map((s) => ({
      id: s.id,
      className: s.className,
      a1111Names: [...s.a1111Names],
      aliases: [...s.aliases],
      order: s.order,
      unetEvaluationsPerStep: s.unetEvaluationsPerStep,
      stochastic: s.stochastic,
      karras: s.karras,
    }));
  }
}

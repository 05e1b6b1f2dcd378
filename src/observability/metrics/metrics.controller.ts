/** GET /metrics on the main HTTP port: Prometheus text exposition (when AFD_METRICS_PORT is not set). */
import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../auth/access.decorators';
import { MetricsService } from './metrics.service';

@ApiExcludeController()
@Public()
@Controller()
export class MetricsController {
  constructor(@Inject(MetricsService) private readonly metrics: MetricsService) {}

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async scrape(@Res() response: Response): Promise<void> {
    const body = await this.metrics.render();
    // end(), not send(): Express would rewrite the content type's parameters.
    response.status(200).setHeader('Content-Type', this.metrics.contentType);
    response.end(body);
  }
}

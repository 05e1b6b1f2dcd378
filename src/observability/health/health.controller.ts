/** Probes: /health/live (the process answers) and /health/ready (warmed up, a device ready, not draining), via @nestjs/terminus. */
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../../auth/access.decorators';
import { ReadinessService } from './readiness.service';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(ReadinessService) private readonly readiness: ReadinessService,
  ) {}

  @Get('live')
  live(@Res({ passthrough: true }) response: Response): Promise<HealthCheckResult> {
    return this.answer(response, [() => this.indicators.check('process').up({ uptimeSeconds: Math.round(process.uptime()) })]);
  }

  @Get('ready')
  ready(@Res({ passthrough: true }) response: Response): Promise<HealthCheckResult> {
    return this.answer(response, [
      async () => {
        const state = await this.readiness.state();
        const check = this.indicators.check('model');
        const { ready, ...details } = state;
        return ready ? check.up(details) : check.down(details);
      },
    ]);
  }

  /** Terminus throws a 503 carrying the report when a check is down; answer the report itself either way. */
  private async answer(response: Response, checks: Parameters<HealthCheckService['check']>[0]): Promise<HealthCheckResult> {
    response.setHeader('Cache-Control', 'no-store');
    try {
      return await this.health.check(checks);
    } catch (error) {
      const report = (error as { getResponse?: () => unknown }).getResponse?.();
      if (!report) throw error;
      response.status(503);
      return report as HealthCheckResult;
    }
  }
}

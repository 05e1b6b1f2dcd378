import { Body, Controller, Get, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal } from '../auth/access.decorators';
import type { Principal } from '../auth/api-keys';
import { A1111StateService, type A1111ModelBody, type A1111OptionsBody, type A1111ProgressBody, type A1111SamplerBody } from './a1111-state.service';

/** The web UI's lists, options, progress and interrupt, each client's own. */
@ApiTags('a1111')
@Controller('sdapi/v1')
export class A1111StateController {
  constructor(@Inject(A1111StateService) private readonly state: A1111StateService) {}

  @Get('sd-models')
  models(): A1111ModelBody[] {
    return this.state.models();
  }

  @Get('samplers')
  samplers(): A1111SamplerBody[] {
    return this.state.samplers();
  }

  @Get('schedulers')
  schedulers(): ReturnType<A1111StateService['schedulers']> {
    return this.state.schedulers();
  }

  @Get('options')
  options(@CurrentPrincipal() principal: Principal): A1111OptionsBody {
    return this.state.options(principal.clientId);
  }

  /** The web UI answers JSON null. */
  @Post('options')
  @HttpCode(200)
  setOptions(@Body() body: unknown, @CurrentPrincipal() principal: Principal, @Res() response: Response): void {
    this.state.setOptions(principal.clientId, body);
    response.type('application/json').send('null');
  }

  @Get('progress')
  progress(@CurrentPrincipal() principal: Principal): Promise<A1111ProgressBody> {
    return this.state.progress(principal);
  }

  @Post('interrupt')
  @HttpCode(200)
  interrupt(@CurrentPrincipal() principal: Principal): Promise<Record<string, never>> {
    return this.state.interrupt(principal);
  }
}

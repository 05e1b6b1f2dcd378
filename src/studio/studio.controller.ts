/** GET /studio and /studio/<asset>: the studio page, public like /docs (its API calls carry the key the user types). */
import { Controller, Get, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/access.decorators';
import { studioFile } from './studio-files';

export const STUDIO_ROOT = Symbol('studio-root');

@ApiExcludeController()
@Public()
@Controller('studio')
export class StudioController {
  constructor(@Inject(STUDIO_ROOT) private readonly root: string) {}

  @Get()
  page(@Res() response: Response): void {
    this.send('index.html', response);
  }

  @Get(':file')
  asset(@Param('file') file: string, @Res() response: Response): void {
    this.send(file, response);
  }

  private send(name: string, response: Response): void {
    const file = studioFile(this.root, name);
    if (!file) throw new NotFoundException(`No studio file ${name}`);
    // no-cache: the page is small and revalidated (ETag), so a rebuilt server never serves stale scripts.
    response.set({ 'Content-Type': file.contentType, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
    response.sendFile(file.path);
  }
}

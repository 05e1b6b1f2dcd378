import { Body, Controller, Get, Inject, Param, Post, Req, Res, StreamableFile, UploadedFile, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiTags, type SchemaObject } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, RateLimit } from '../auth/access.decorators';
import { viewerOf, type Principal } from '../auth/api-keys';
import { comparisonBodyFromMultipart, ComparisonUploadInterceptor, MAX_MULTIPART_REQUEST_BYTES, MULTIPART_REQUEST_FIELD, type UploadedImageFile } from './comparison-upload';
import { ComparisonsService, MAX_COMPARISON_PROMPTS, type ComparisonView } from './comparisons.service';
import { MAX_REFERENCE_IMAGE_BYTES, MAX_REFERENCE_IMAGE_PIXELS, REFERENCE_IMAGE_FIELD } from './reference-image';

const REFERENCE_RULES =
  `PNG, JPEG or WebP (GIF, SVG, TIFF and others are refused with 400), at most ${MAX_REFERENCE_IMAGE_BYTES / (1024 * 1024)} MiB (413 above) ` +
  `and ${MAX_REFERENCE_IMAGE_PIXELS.toLocaleString('en-US')} pixels (4096 × 4096; 413 above). Its metadata is dropped; it is scaled to cover the cell size ` +
  '(cropped at the centre) and shown as the first grid column, titled "Reference", in every row. `cells` still number the checkpoint columns from 0; `hasReference` says the grid has the extra column.';

const COMPARISON_PROPERTIES: Record<string, SchemaObject> = {
  prompts: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: MAX_COMPARISON_PROMPTS, description: 'One grid row each (or give `prompt`)' },
  prompt: { type: 'string', description: 'A single prompt, instead of `prompts`' },
  checkpoints: { type: 'array', items: { type: 'string' }, description: 'Checkpoint ids, one column each; every checkpoint in registry order when omitted' },
  seed: { oneOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^\\d+$' }], description: 'One seed for every cell; random when omitted' },
  steps: { type: 'integer' },
  guidanceScale: { type: 'number' },
  width: { type: 'integer', description: 'A multiple of 8' },
  height: { type: 'integer', description: 'A multiple of 8' },
  scheduler: { type: 'string' },
  negativePrompt: { type: 'string' },
};

@ApiTags('comparisons')
@Controller('v1/comparisons')
export class ComparisonsController {
  constructor(@Inject(ComparisonsService) private readonly comparisons: ComparisonsService) {}

  /** Runs every prompt on every checkpoint with one seed; answers when the grid is ready. */
  @Post()
  @RateLimit('generations')
  @UseInterceptors(ComparisonUploadInterceptor)
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({
    description:
      'Either a JSON body, with the optional reference image as a base64 string or data URL in `referenceImage` (the JSON body limit, AFD_BODY_LIMIT_KB, ' +
      `256 KB by default, applies: use multipart for larger images), or multipart/form-data with two parts: \`${MULTIPART_REQUEST_FIELD}\` (the same JSON object, ` +
      `without the image, at most ${MAX_MULTIPART_REQUEST_BYTES / 1024} KiB) and \`${REFERENCE_IMAGE_FIELD}\` (the image file). The reference image: ${REFERENCE_RULES}`,
    schema: {
      oneOf: [
        {
          title: 'JSON body (application/json)',
          type: 'object',
          properties: {
            ...COMPARISON_PROPERTIES,
            [REFERENCE_IMAGE_FIELD]: { type: 'string', format: 'byte', description: 'Optional reference image: base64, or a data URL (data:image/png;base64,...)' },
          },
        },
        {
          title: 'Multipart body (multipart/form-data)',
          type: 'object',
          required: [MULTIPART_REQUEST_FIELD],
          properties: {
            [MULTIPART_REQUEST_FIELD]: { type: 'string', description: 'The comparison as JSON: the same object as the JSON body, without the image' },
            [REFERENCE_IMAGE_FIELD]: { type: 'string', format: 'binary', description: 'Optional reference image file' },
          },
        },
      ],
    },
    encoding: { [MULTIPART_REQUEST_FIELD]: { contentType: 'application/json' }, [REFERENCE_IMAGE_FIELD]: { contentType: 'image/png, image/jpeg, image/webp' } },
  })
  async create(
    @Req() request: Request,
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @UploadedFile() file: UploadedImageFile | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ComparisonView> {
    const input = request.is('multipart/form-data') ? comparisonBodyFromMultipart(body, file) : body;
    const record = await this.comparisons.create(input, principal.clientId);
    response.status(201).setHeader('Location', `/v1/comparisons/${record.id}`);
    return this.comparisons.view(record);
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal): ComparisonView {
    return this.comparisons.view(this.comparisons.get(id, viewerOf(principal)));
  }

  @Get(':id/grid')
  grid(@Param('id') id: string, @CurrentPrincipal() principal: Principal): StreamableFile {
    return png(this.comparisons.grid(id, viewerOf(principal)));
  }

  @Get(':id/cells/:row/:column')
  cell(@Param('id') id: string, @Param('row') row: string, @Param('column') column: string, @CurrentPrincipal() principal: Principal): StreamableFile {
    return png(this.comparisons.cell(id, row, column, viewerOf(principal)));
  }
}

function png(bytes: Buffer): StreamableFile {
  return new StreamableFile(bytes, { type: 'image/png', length: bytes.length });
}

/**
 * POST /v1/comparisons and what the comparison endpoints answer. A comparison's generation settings
 * are the generation request's own fields (the same rules, checked by the same engine code).
 */
import { z } from 'zod';
import { FailureSchema, GenerateRequestSchema, INIT_IMAGE_FIELD, ProgressPreviewSchema } from '../generation/generation.schemas';
import { MAX_MULTIPART_REQUEST_BYTES, MULTIPART_REQUEST_FIELD, type ImageUploadShape } from '../transports/rest/image-upload';

/** The body field that carries the reference image (REST JSON and multipart, gRPC `reference_image`; GraphQL's referenceImageBase64). */
export const REFERENCE_IMAGE_FIELD = 'referenceImage';
/** A multipart comparison's file parts. */
export const COMPARISON_UPLOAD: ImageUploadShape = { kind: 'comparison', fileFields: [REFERENCE_IMAGE_FIELD, INIT_IMAGE_FIELD] };

export const MAX_COMPARISON_PROMPTS = 4;

/** The generation settings a comparison takes, in the order error messages list them. */
export const COMPARISON_SETTINGS = ['seed', 'steps', 'guidanceScale', 'width', 'height', 'scheduler', 'negativePrompt', 'strength'] as const satisfies ReadonlyArray<keyof typeof GenerateRequestSchema.shape>;

const settings = Object.fromEntries(COMPARISON_SETTINGS.map((field) => [field, GenerateRequestSchema.shape[field]])) as Pick<typeof GenerateRequestSchema.shape, (typeof COMPARISON_SETTINGS)[number]>;

const comparisonFields = {
  prompt: z.string().min(1).nullable().optional().describe('A single prompt, instead of `prompts`'),
  prompts: z.array(z.string().min(1)).min(1).max(MAX_COMPARISON_PROMPTS).nullable().optional().describe(`1 to ${MAX_COMPARISON_PROMPTS} prompts, one grid row each (or give \`prompt\`)`),
  checkpoints: z.array(z.string()).min(1).nullable().optional().describe('Checkpoint ids, one column each, not repeated; every checkpoint in registry order when omitted'),
  ...settings,
  [INIT_IMAGE_FIELD]: GenerateRequestSchema.shape[INIT_IMAGE_FIELD],
  preview: GenerateRequestSchema.shape.preview,
  previewInterval: GenerateRequestSchema.shape.previewInterval,
};

/** The comparison's fields without the reference image (what a multipart body's `request` part holds; its images may come as file parts). */
export const CompareFieldsSchema = z.object(comparisonFields).strict();

/** The JSON body: the fields and, optionally, the reference image inline. */
export const CompareRequestSchema = z
  .object({
    ...comparisonFields,
    [REFERENCE_IMAGE_FIELD]: z
      .string()
      .nullable()
      .optional()
      .describe('An optional reference image, base64 or a data URL (data:image/png;base64,…); the JSON body limit applies, larger images go through multipart'),
  })
  .strict()
  .meta({ example: { prompts: ['a red kente dress'], checkpoints: ['baseline', 'final'], seed: 42, steps: 20, width: 256, height: 256 } });

/** The multipart body: the comparison as JSON in one part, the image file in the other. */
export const CompareMultipartSchema = z.object({
  [MULTIPART_REQUEST_FIELD]: z.string().describe(`The comparison as JSON (the JSON body's object without the image), at most ${MAX_MULTIPART_REQUEST_BYTES / 1024} KiB`),
  [REFERENCE_IMAGE_FIELD]: z.string().optional().meta({ contentMediaType: 'application/octet-stream' }).describe('The reference image file'),
  [INIT_IMAGE_FIELD]: z.string().optional().meta({ contentMediaType: 'application/octet-stream' }).describe("Image to image: the starting picture's file, applied to every checkpoint"),
});

export const ComparisonViewSchema = z
  .object({
    id: z.string(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']).describe('queued or running until every cell is done (asked with Prefer: respond-async); cells are listed once it has succeeded'),
    error: FailureSchema.optional().describe('Why it failed'),
    seed: z.string().describe('The seed every cell used, as a decimal string'),
    cells: z.array(
      z.object({
        prompt: z.string(),
        checkpoint: z.string(),
        trainingStep: z.int().min(0),
        row: z.int().min(0),
        column: z.int().min(0).describe('Counts checkpoints from 0, with or without a reference column'),
        imageUrl: z.string(),
      }),
    ),
    gridUrl: z.string(),
    hasReference: z.boolean().describe("The grid's first column is the uploaded reference image"),
  })
  .meta({
    example: {
      id: '01JF3Z8M6Q2W5T9X0A1B2C3D4E',
      status: 'succeeded',
      seed: '42',
      cells: [{ prompt: 'a red kente dress', checkpoint: 'final', trainingStep: 100000, row: 0, column: 0, imageUrl: '/v1/comparisons/01JF3Z8M6Q2W5T9X0A1B2C3D4E/cells/0/0' }],
      gridUrl: '/v1/comparisons/01JF3Z8M6Q2W5T9X0A1B2C3D4E/grid',
      hasReference: false,
    },
  });

/** The data of a `cell` server-sent event: one step of one cell (row: prompt, column: checkpoint, from 0). */
export const ComparisonCellEventSchema = z.object({
  row: z.int().min(0),
  column: z.int().min(0),
  checkpoint: z.string(),
  step: z.int().min(0),
  totalSteps: z.int().min(0),
  etaMs: z.number().min(0),
  preview: ProgressPreviewSchema.optional().describe("With preview: true, the cell's predicted image every previewInterval steps and at the last"),
});
/** The data of the one `done` server-sent event, the last of the stream. */
export const ComparisonDoneEventSchema = z.object({ status: z.enum(['succeeded', 'failed']), error: FailureSchema.optional() });

/** GET /v1/comparisons: how many to answer and where the previous page ended. */
export const MAX_COMPARISON_PAGE = 100;
export const DEFAULT_COMPARISON_PAGE = 20;

/** One kept comparison in the history: what the studio lists to reopen it (no image bytes). */
export const ComparisonSummarySchema = z.object({
  id: z.string(),
  status: z.enum(['succeeded']).describe('Only finished comparisons are kept, and listed'),
  createdAt: z.iso.datetime().describe('When it was asked for (ISO 8601, UTC)'),
  seed: z.string().describe('The seed every cell used, as a decimal string'),
  prompts: z.array(z.string()).describe('One per grid row'),
  checkpoints: z.array(z.string()).describe('Checkpoint ids, one per column (after the reference column, if any)'),
  hasReference: z.boolean(),
  gridUrl: z.string(),
  cellCount: z.int().min(0),
});

export const ComparisonPageSchema = z
  .object({
    items: z.array(ComparisonSummarySchema).describe("The calling client's kept comparisons (an administrator's: everyone's), newest first"),
    nextCursor: z.string().optional().describe('Present when more exist: pass it as `cursor` for the next page'),
  })
  .meta({
    example: {
      items: [
        {
          id: '0193c5a0-7b2e-7c41-9a3f-2b6d8e1f4a50',
          status: 'succeeded',
          createdAt: '2026-12-07T08:00:00.000Z',
          seed: '42',
          prompts: ['a red kente dress'],
          checkpoints: ['baseline', 'final'],
          hasReference: false,
          gridUrl: '/v1/comparisons/0193c5a0-7b2e-7c41-9a3f-2b6d8e1f4a50/grid',
          cellCount: 2,
        },
      ],
      nextCursor: '0193c5a0-7b2e-7c41-9a3f-2b6d8e1f4a50',
    },
  });

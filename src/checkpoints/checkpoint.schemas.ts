/** What the checkpoint endpoints take and answer. */
import { z } from 'zod';

export const CheckpointViewSchema = z
  .object({
    id: z.string(),
    label: z.string(),
    baseModel: z.string(),
    trainingStep: z.int().min(0),
    default: z.boolean().describe('Requests that name no checkpoint run on this one'),
    pinned: z.boolean().describe('Kept loaded; cannot be unloaded'),
    unetHash: z.string().describe("The UNet's content hash"),
    residentOn: z.array(z.string()).describe('Devices it is loaded on'),
    bytes: z.int().min(0).describe("Bytes of its components' files"),
    measuredBytes: z
      .int()
      .min(0)
      .nullable()
      .describe(
        'Memory its components were measured to take resident (their sessions, at load; on CPU the growth of the resident set, never less than their files), the most over the devices that loaded it all; the memory budget charges this. null until it has been loaded',
      ),
    status: z.enum(['available', 'unavailable']).describe('`unavailable`: broken, listed but not served'),
    error: z.string().nullable().describe('Why it is unavailable, naming the file; null when available'),
    sizeMultiple: z.int().min(8).describe("Widths and heights must be multiples of this: 8 × 2^k when the UNet halves the latents k times and up-samples by fixed factors (a real SD 1.x export: 64), else 8"),
  })
  .meta({
    example: { id: 'final', label: 'Final', baseModel: 'stable-diffusion-v1-4', trainingStep: 100000, default: true, pinned: true, unetHash: 'a1b2c3d4e5', residentOn: ['cpu'], bytes: 3400000, measuredBytes: 4100000, status: 'available', error: null, sizeMultiple: 64 },
  });

export const CheckpointListSchema = z.object({ checkpoints: z.array(CheckpointViewSchema) });

export const CheckpointDeviceRequestSchema = z.object({
  device: z.string().nullable().optional().describe('A device (`cpu`, `cuda:0`, …); the pool chooses (load) or every device (unload) when omitted'),
});

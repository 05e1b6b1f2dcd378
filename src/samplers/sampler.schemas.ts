/** What the samplers list answers, written once for REST (OpenAPI), GraphQL and gRPC. */
import { z } from 'zod';
import { SCHEDULER_NAMES } from '../engine/schedulers';

export const SamplerViewSchema = z
  .object({
    id: z.enum(SCHEDULER_NAMES).describe("The id a generation's `scheduler` field takes"),
    className: z.string().describe('The diffusers scheduler class it reproduces'),
    a1111Names: z.array(z.string()).describe("AUTOMATIC1111's names for it (before 1.6, when the schedule was part of the name); `scheduler` accepts them too"),
    aliases: z.array(z.string()).describe('Other display names `scheduler` accepts'),
    order: z.int().min(1).describe("The solver's order: past outputs a multistep solver combines, or stages of a second-order step"),
    unetEvaluationsPerStep: z.int().min(1).max(2).describe('UNet calls per step: 2 for Heun and DPM2 (2N − 1 for N steps, the last step being first order)'),
    stochastic: z.boolean().describe("Draws fresh noise from the request's seed at every step (ancestral and SDE samplers)"),
    karras: z.boolean().describe('Uses Karras et al. (2022) sigmas whatever the model config says'),
  })
  .meta({
    example: { id: 'dpm++2m-karras', className: 'DPMSolverMultistepScheduler', a1111Names: ['DPM++ 2M Karras'], aliases: [], order: 2, unetEvaluationsPerStep: 1, stochastic: false, karras: true },
  });

export const SamplerListSchema = z.object({ samplers: z.array(SamplerViewSchema) });

export type SamplerView = z.infer<typeof SamplerViewSchema>;

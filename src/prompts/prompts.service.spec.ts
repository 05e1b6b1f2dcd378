import { ApiError } from '../common/error-code';
import type { CheckpointsService } from '../checkpoints/checkpoints.service';
import { PromptsService } from './prompts.service';

/** A registry of one checkpoint without a template; tokenize is not reached by these cases. */
const checkpoints = {
  resolve: (id: unknown) => {
    if (id !== undefined && id !== null && id !== 'final') throw new Error(`unexpected checkpoint ${String(id)}`);
    return { id: 'final', path: '/nowhere' };
  },
} as unknown as CheckpointsService;

function refusal(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError');
}

describe('PromptsService: fields it does not know', () => {
  const prompts = new PromptsService(checkpoints);

  it.each([
    ['build', () => prompts.build({ attributes: { garment: 'dress' }, sneaky: 1 }), 'sneaky', 'attributes, checkpoint'],
    ['parse', () => prompts.parse({ text: 'red dress', language: 'fr' }), 'language', 'text, checkpoint'],
    ['tokenize', () => prompts.tokenize({ text: 'a', maxTokens: 5 }), 'maxTokens', 'text, checkpoint'],
  ])('%s refuses an unknown field by name', (_route, run, field, known) => {
    const error = refusal(run);
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.details).toMatchObject({ field });
    expect(error.message).toBe(`${field}: is not a field of this request (known: ${known})`);
  });

  it('still takes the known fields, an absent (undefined) checkpoint included', () => {
    expect(prompts.build({ attributes: { garment: 'dress', colours: ['red'] }, checkpoint: undefined }).prompt).toMatch(/red.*dress/);
    expect(prompts.parse({ text: 'robe rouge', checkpoint: 'final' }).attributes).toMatchObject({ garment: 'dress', colours: ['red'] });
  });
});

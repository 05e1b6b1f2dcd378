/** afrofashion.v1.PromptService: requests → PromptsService → messages. */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { PromptsService } from './prompts.service';
import { attributesInput, attributesMessage, type AttributesMessage } from '../transports/grpc/grpc-attributes';
import { unary } from '../transports/grpc/grpc-handlers';

export function promptHandlers(prompts: PromptsService): UntypedServiceImplementation {
  return {
    GetVocabulary: unary<unknown, unknown>(() => prompts.vocabulary().vocabulary),
    BuildPrompt: unary<{ attributes?: AttributesMessage; checkpoint?: string }, unknown>((request) => {
      const built = prompts.build({ checkpoint: request.checkpoint, attributes: attributesInput(request.attributes) });
      return { prompt: built.prompt, attributes: attributesMessage(built.attributes) };
    }),
    ParsePrompt: unary<{ text?: string; checkpoint?: string }, unknown>((request) => {
      const parsed = prompts.parse({ checkpoint: request.checkpoint, text: request.text ?? '' });
      return { attributes: attributesMessage(parsed.attributes), prompt: parsed.prompt, unplaced: [...parsed.unplaced], language: parsed.language };
    }),
    Tokenize: unary<{ text?: string; checkpoint?: string }, unknown>((request) => {
      const t = prompts.tokenize({ checkpoint: request.checkpoint, text: request.text ?? '' });
      const { ids, tokens, weights, count, chunks, maxChunks, truncated, dropped, fragments } = t;
      return { ids, tokens, count, truncated, droppedCount: dropped.count, droppedText: dropped.text, weights, chunks, maxChunks, fragments };
    }),
  };
}

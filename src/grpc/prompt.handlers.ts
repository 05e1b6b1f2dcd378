/** afrofashion.v1.PromptService: requests → PromptsService → messages. */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { PromptAttributes } from '../prompts';
import type { PromptsService } from '../prompts/prompts.service';
import { unary } from './grpc-handlers';

interface AttributesMessage {
  garment?: string;
  fabrics?: string[];
  colours?: string[];
  gender?: string;
  length?: string;
  accessories?: string[];
}

/** Attributes as the domain takes them: absent single attributes as null, lists as given. */
function attributesInput(message: AttributesMessage | undefined): Record<string, unknown> {
  const m = message ?? {};
  return {
    garment: m.garment ?? null,
    fabrics: m.fabrics ?? [],
    colours: m.colours ?? [],
    gender: m.gender ?? null,
    length: m.length ?? null,
    accessories: m.accessories ?? [],
  };
}

/** null single attributes are left out (proto3 optional). */
function attributesMessage(a: PromptAttributes): AttributesMessage {
  return {
    ...(a.garment !== null ? { garment: a.garment } : {}),
    fabrics: [...a.fabrics],
    colours: [...a.colours],
    ...(a.gender !== null ? { gender: a.gender } : {}),
    ...(a.length !== null ? { length: a.length } : {}),
    accessories: [...a.accessories],
  };
}

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
      return { ids: t.ids, tokens: t.tokens, count: t.count, truncated: t.truncated, droppedCount: t.dropped.count, droppedText: t.dropped.text };
    }),
  };
}

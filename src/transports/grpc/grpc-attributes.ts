/** PromptAttributes messages ↔ the prompt domain's attributes. */
import type { PromptAttributes } from '../../prompt-language';

export interface AttributesMessage {
  garment?: string;
  fabrics?: string[];
  colours?: string[];
  gender?: string;
  length?: string;
  accessories?: string[];
}

/** Attributes as the domain takes them: absent single attributes as null, lists as given. */
export function attributesInput(message: AttributesMessage | undefined): Record<string, unknown> {
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
export function attributesMessage(a: PromptAttributes): AttributesMessage {
  return {
    ...(a.garment !== null ? { garment: a.garment } : {}),
    fabrics: [...a.fabrics],
    colours: [...a.colours],
    ...(a.gender !== null ? { gender: a.gender } : {}),
    ...(a.length !== null ? { length: a.length } : {}),
    accessories: [...a.accessories],
  };
}

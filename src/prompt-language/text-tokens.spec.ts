import { foldWord, phraseKey, tokenise } from './text-tokens';

describe('text tokens', () => {
  it('folds case, accents and ligatures', () => {
    expect(foldWord('DORÉE')).toBe('doree');
    expect(foldWord('Garçon')).toBe('garcon');
    expect(foldWord('nœud')).toBe('noeud');
    expect(foldWord('e\u0301te\u0301')).toBe('ete');
    expect(foldWord('ＲＯＢＥ')).toBe('robe');
  });

  it('splits on anything but letters and digits, keeping offsets into the original', () => {
    const text = "Boucles d'oreilles — aso-oke, 2 pièces 👗!";
    const tokens = tokenise(text);
    expect(tokens.map((token) => token.key)).toEqual(['boucles', 'd', 'oreilles', 'aso', 'oke', '2', 'pieces']);
    expect(tokens.map((token) => text.slice(token.start, token.end))).toEqual(['Boucles', 'd', 'oreilles', 'aso', 'oke', '2', 'pièces']);
  });

  it('marks punctuation between tokens, but not spaces, hyphens or apostrophes', () => {
    const tokens = tokenise("Robe d'été, aso-oke / kente; or");
    expect(tokens.map((token) => token.boundaryBefore)).toEqual([true, false, false, true, false, true, true]);
  });

  it('finds nothing in punctuation, emoji and marks', () => {
    expect(tokenise('!!! ... 👗✨❤️ \u0301')).toEqual([]);
    expect(tokenise('')).toEqual([]);
  });

  it('keys phrases the same way with or without hyphens and accents', () => {
    expect(phraseKey('Aso-Oke')).toBe('aso oke');
    expect(phraseKey('  aso   oke ')).toBe('aso oke');
    expect(phraseKey("Boucles d’oreilles")).toBe('boucles d oreilles');
    expect(phraseKey('Mi-Longue')).toBe('mi longue');
  });
});

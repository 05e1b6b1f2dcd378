import { detectLanguage } from './detect-language';
import { tokenise } from './text-tokens';

const language = (text: string): string => detectLanguage(tokenise(text).map((token) => token.key));

describe('detectLanguage', () => {
  it.each<[string, string]>([
    ['Robe longue en wax pour femme', 'fr'],
    ['Long wax dress for women', 'en'],
    ["Boucles d'oreilles", 'fr'],
    ['Kente', 'unknown'],
    ['wax kente long', 'unknown'],
    ['or', 'unknown'],
    ['', 'unknown'],
    ['Robe dress', 'unknown'],
  ])('reads %j as %s', (text, expected) => {
    expect(language(text)).toBe(expected);
  });
});

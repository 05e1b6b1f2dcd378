/**
 * Derived forms of vocabulary phrases, so the tables list each word once: plurals ("dresses",
 * "robes", "bijoux", "accessories") and, for French colour and length adjectives, the feminine and
 * its plural ("verte", "vertes", "dorée" folded to "doree"). Forms are derived from the folded
 * tokens, so a few are not words at all; they never occur in text and match nothing.
 */

const MIN_INFLECTED_LENGTH = 3;

/** The forms of one folded token, itself first. */
export function tokenForms(token: string, frenchAdjective: boolean): string[] {
  if (token.length < MIN_INFLECTED_LENGTH || /\d/.test(token)) return [token];
  const forms = new Set([token]);
  if (/(s|x|z|ch|sh)$/.test(token)) forms.add(`${token}es`);
  else if (/[^aeiou]y$/.test(token)) forms.add(`${token.slice(0, -1)}ies`);
  else forms.add(`${token}s`);
  if (/(au|eu|ou)$/.test(token)) forms.add(`${token}x`);
  if (frenchAdjective) {
    forms.add(`${token}e`);
    forms.add(`${token}es`);
  }
  return [...forms];
}

/** Every derived form of a folded phrase key ("boucle d oreille" → "boucles d oreilles", ...), the key itself excluded. */
export function phraseForms(key: string, frenchAdjective: boolean): string[] {
  let phrases = [''];
  for (const token of key.split(' ')) {
    const forms = tokenForms(token, frenchAdjective);
    phrases = phrases.flatMap((prefix) => forms.map((form) => (prefix === '' ? form : `${prefix} ${form}`)));
  }
  return phrases.filter((phrase) => phrase !== key);
}

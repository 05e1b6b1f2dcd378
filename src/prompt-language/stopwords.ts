/**
 * Words the parser passes over without reporting them: function words of English and French
 * (folded, so "à" is "a"), words the prompt implies anyway ("african", "fashion"), and the words
 * that open an accessory clause ("with", "avec"). All folded.
 */

export const ENGLISH_STOPWORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'the', 'and', 'or', 'with', 'without', 'for', 'of', 'in', 'on', 'to', 'by', 'from', 'at', 'as', 'is', 'are',
  'this', 'that', 'these', 'those', 'it', 'its', 's', 'your', 'our', 'my', 'her', 'his', 'their', 'very', 'featuring',
]);

export const FRENCH_STOPWORDS: ReadonlySet<string> = new Set([
  'le', 'la', 'les', 'l', 'un', 'une', 'des', 'du', 'de', 'd', 'et', 'ou', 'en', 'a', 'au', 'aux', 'pour', 'avec', 'sur', 'par',
  'dans', 'ce', 'cet', 'cette', 'ces', 'son', 'sa', 'ses', 'mon', 'ma', 'mes', 'votre', 'vos', 'notre', 'nos', 'qui', 'que',
  'qu', 'est', 'tres', 'plus', 's', 'se', 'y', 'c', 'j', 'n',
]);

/** Words every standardised prompt already says ("..., african fashion"), or that name no attribute. */
export const IMPLIED_WORDS: ReadonlySet<string> = new Set([
  'african', 'africa', 'afrique', 'africain', 'africaine', 'africains', 'africaines', 'afro', 'fashion', 'mode', 'style', 'styled',
  'fabric', 'fabrics', 'cloth', 'material', 'tissu', 'tissus', 'matiere', 'print', 'prints', 'printed', 'imprime', 'imprimee',
  'imprimes', 'imprimees', 'motif', 'motifs', 'pattern', 'patterns',
]);

/** Words after which, up to the next punctuation, an accessory is meant rather than the garment's own material. */
export const WITH_WORDS: ReadonlySet<string> = new Set(['with', 'featuring', 'avec']);

export function isStopword(key: string): boolean {
  return ENGLISH_STOPWORDS.has(key) || FRENCH_STOPWORDS.has(key) || IMPLIED_WORDS.has(key);
}

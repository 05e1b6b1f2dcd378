/** Colours. French forms are given in the masculine; feminine and plural forms are derived. */
import { term, type VocabularyTerm } from '../vocabulary-types';

export const COLOUR_TERMS: readonly VocabularyTerm[] = [
  term('red', 'red', ['scarlet', 'crimson'], ['rouge', 'écarlate', 'vermillon']),
  term('burgundy', 'burgundy', ['maroon', 'wine', 'oxblood'], ['bordeaux', 'lie de vin']),
  term('blue', 'blue', ['royal blue', 'sky blue', 'light blue', 'cobalt'], ['bleu', 'bleu roi', 'bleu ciel', 'bleu clair', 'bleu électrique']),
  term('navy', 'navy blue', ['navy', 'dark blue', 'midnight blue'], ['bleu marine', 'marine', 'bleu nuit', 'bleu foncé']),
  term('turquoise', 'turquoise', ['teal', 'aqua'], ['turquoise', 'bleu canard']),
  term('indigo', 'indigo', [], ['indigo']),
  term('yellow', 'yellow', [], ['jaune']),
  term('mustard', 'mustard', ['mustard yellow', 'ochre'], ['moutarde', 'jaune moutarde', 'ocre']),
  term('green', 'green', ['emerald', 'lime', 'emerald green'], ['vert', 'vert émeraude', 'émeraude']),
  term('khaki', 'khaki', ['olive', 'olive green'], ['kaki', 'vert olive', 'olive']),
  term('orange', 'orange', [], ['orange']),
  term('purple', 'purple', ['violet', 'lilac', 'lavender', 'plum'], ['violet', 'mauve', 'pourpre', 'lilas', 'prune']),
  term('pink', 'pink', ['fuchsia', 'magenta', 'hot pink'], ['rose', 'fuchsia', 'rose fuchsia', 'magenta']),
  term('black', 'black', [], ['noir']),
  term('white', 'white', [], ['blanc', 'blanche']),
  term('cream', 'cream', ['ivory', 'off-white', 'ecru'], ['crème', 'ivoire', 'écru', 'blanc cassé']),
  term('grey', 'grey', ['gray', 'charcoal'], ['gris', 'anthracite']),
  term('gold', 'gold', ['golden', 'gilded', 'gold-plated'], ['or', 'doré', 'plaqué or']),
  term('silver', 'silver', ['silver-plated'], ['argent', 'argenté', 'plaqué argent']),
  term('bronze', 'bronze', ['copper'], ['bronze', 'cuivré', 'cuivre']),
  term('brown', 'brown', ['chocolate', 'tan', 'rust', 'terracotta'], ['marron', 'brun', 'chocolat', 'rouille', 'terracotta']),
  term('beige', 'beige', ['nude', 'camel', 'sand'], ['beige', 'nude', 'camel', 'sable']),
  term('multicolour', 'multicoloured', ['multicolor', 'multicolored', 'multi-colour', 'multi-color', 'multi-coloured', 'multi-colored', 'colourful', 'colorful', 'rainbow'], ['multicolore', 'multicolor', 'multi-couleurs', 'coloré', 'bariolé']),
];

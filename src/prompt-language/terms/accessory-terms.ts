/** What the figure wears or carries besides the garment ("... with cowries", "... with gold earrings"). */
import { term, type VocabularyTerm } from '../vocabulary-types';
import { HEADWRAP_SYNONYMS } from './garment-terms';

export const ACCESSORY_TERMS: readonly VocabularyTerm[] = [
  term('cowries', 'cowries', ['cowrie', 'cowry', 'cowrie shells'], ['cauris', 'cauri', 'coquillages']),
  term('gold-earrings', 'gold earrings', ['golden earrings', 'gold hoops', 'gold hoop earrings'], ['boucles d\'oreilles dorées', 'boucles d\'oreilles en or', 'créoles dorées'], {
    parts: { garment: 'earrings', colours: ['gold'] },
  }),
  term('earrings', 'earrings', ['ear rings', 'hoops', 'hoop earrings'], ['boucles d\'oreilles', 'boucles d\'oreille', 'boucle d\'oreille', 'créoles']),
  term('headwrap', 'headwrap', HEADWRAP_SYNONYMS.en, HEADWRAP_SYNONYMS.fr, { phrase: 'a headwrap' }),
  term('beads', 'beads', ['bead', 'beaded jewellery', 'beaded jewelry'], ['perles', 'perle']),
  term('waist-beads', 'waist beads', ['waistbeads', 'belly beads'], ['perles de hanches', 'perles de taille', 'perles de reins']),
  term('necklace', 'necklace', ['choker', 'pendant'], ['collier', 'sautoir', 'pendentif'], { phrase: 'a necklace' }),
  term('gold-necklace', 'gold necklace', ['golden necklace', 'gold chain'], ['collier doré', 'collier en or', 'chaîne dorée'], {
    phrase: 'a gold necklace',
    parts: { garment: 'necklace', colours: ['gold'] },
  }),
  term('bangles', 'bangles', ['bangle', 'bracelets', 'bracelet'], ['bracelets', 'bracelet', 'joncs', 'jonc']),
  term('jewellery', 'jewellery', ['jewelry', 'jewels'], ['bijoux', 'bijou']),
  term('gold-jewellery', 'gold jewellery', ['gold jewelry', 'golden jewellery', 'golden jewelry'], ['bijoux dorés', 'bijoux en or']),
  term('bag', 'bag', ['handbag', 'purse', 'clutch'], ['sac', 'sac à main', 'pochette'], { phrase: 'a bag' }),
  term('hat', 'hat', ['kufi', 'kufi cap'], ['chapeau', 'kufi'], { phrase: 'a hat' }),
  term('sunglasses', 'sunglasses', ['shades'], ['lunettes de soleil', 'lunettes']),
  term('belt', 'belt', [], ['ceinture'], { phrase: 'a belt' }),
  term('hand-fan', 'hand fan', ['fan'], ['éventail'], { phrase: 'a hand fan' }),
];

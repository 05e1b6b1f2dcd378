/** Clothing types, as Afrikrea titles name them. The release's prompts lead with these. */
import { term, type VocabularyTerm } from '../vocabulary-types';

/** Shared with the accessory table: a headwrap is a product and something worn "with" one. */
export const HEADWRAP_SYNONYMS = {
  en: ['head wrap', 'head tie', 'headtie', 'gele', 'gele headtie', 'turban', 'headscarf', 'head scarf', 'duku', 'doek'],
  fr: ['foulard', 'foulard de tête', 'turban', 'attache-tête', 'gele', 'moussor'],
} as const;

export const GARMENT_TERMS: readonly VocabularyTerm[] = [
  term('dress', 'dress', ['gown', 'frock'], ['robe']),
  term('skirt', 'skirt', ['miniskirt'], ['jupe', 'minijupe']),
  term('shirt', 'shirt', ['button-down shirt', 'button-up shirt'], ['chemise']),
  term('blouse', 'blouse', [], ['blouse', 'chemisier']),
  term('top', 'top', ['crop top', 'tank top', 'camisole', 'bustier'], ['top', 'haut', 'débardeur', 'crop top', 'bustier', 'caraco']),
  term('t-shirt', 't-shirt', ['tee', 'tee shirt', 'tshirt'], ['tee-shirt', 't-shirt', 'tshirt']),
  term('sweatshirt', 'sweatshirt', ['hoodie', 'sweater', 'jumper', 'pullover'], ['sweat', 'sweat-shirt', 'pull', 'sweat à capuche']),
  term('trousers', 'trousers', ['trouser', 'pants', 'joggers', 'chinos'], ['pantalon', 'jogging'], { plural: true }),
  term('shorts', 'shorts', ['bermuda shorts'], ['short', 'bermuda'], { plural: true }),
  term('jumpsuit', 'jumpsuit', ['playsuit', 'romper', 'overalls'], ['combinaison', 'combinaison pantalon', 'combi pantalon', 'combishort', 'combi-short', 'salopette']),
  term('jacket', 'jacket', ['blazer', 'bomber', 'bomber jacket'], ['veste', 'blouson', 'blazer', 'bomber']),
  term('coat', 'coat', ['trench coat', 'overcoat'], ['manteau', 'trench']),
  term('kimono', 'kimono', [], ['kimono']),
  term('kaftan', 'kaftan', ['caftan', 'kaftan dress'], ['caftan', 'kaftan', 'robe caftan']),
  term('boubou', 'boubou', ['bubu', 'grand boubou'], ['boubou', 'grand boubou']),
  term('dashiki', 'dashiki', ['dashiki shirt'], ['dashiki', 'chemise dashiki']),
  term('agbada', 'agbada', ['babariga', 'senator'], ['agbada']),
  term('wrapper', 'wrapper', ['wrap skirt', 'sarong', 'lappa'], ['pagne', 'jupe portefeuille', 'pagne noué']),
  term('headwrap', 'headwrap', HEADWRAP_SYNONYMS.en, HEADWRAP_SYNONYMS.fr),
  term('tunic', 'tunic', [], ['tunique']),
  term('suit', 'suit', ['tuxedo'], ['costume', 'smoking']),
  term('two-piece', 'two-piece set', ['co-ord', 'matching set'], ['ensemble', 'deux pièces']),
  term('swimsuit', 'swimsuit', ['swimwear', 'bikini', 'bathing suit'], ['maillot de bain', 'maillot', 'bikini']),
  term('bag', 'bag', ['handbag', 'purse', 'clutch', 'tote', 'tote bag', 'backpack', 'shoulder bag'], ['sac', 'sac à main', 'pochette', 'cabas', 'sacoche', 'sac à dos']),
  term('shoes', 'shoes', ['shoe', 'sneakers', 'trainers', 'heels', 'pumps', 'loafers', 'boots'], ['chaussure', 'chaussures', 'baskets', 'escarpins', 'mocassins', 'bottes'], { plural: true }),
  term('sandals', 'sandals', ['sandal', 'slides', 'flip-flops', 'mules'], ['sandale', 'sandales', 'nu-pieds', 'tongs', 'mules', 'claquettes'], { plural: true }),
  term('hat', 'hat', ['cap', 'kufi', 'kufi cap', 'fila', 'beanie'], ['chapeau', 'casquette', 'bonnet', 'kufi', 'toque']),
  term('earrings', 'earrings', ['earring', 'ear rings', 'hoops', 'hoop earrings', 'studs'], ['boucles d\'oreilles', 'boucles d\'oreille', 'boucle d\'oreille', 'créoles', 'pendants d\'oreilles'], { plural: true }),
  term('necklace', 'necklace', ['choker', 'pendant'], ['collier', 'sautoir', 'ras de cou', 'pendentif']),
  term('bracelet', 'bracelet', ['bangle', 'cuff'], ['bracelet', 'jonc', 'manchette']),
  term('bow-tie', 'bow tie', ['bowtie'], ['nœud papillon', 'nœud pap']),
  term('tie', 'tie', ['necktie'], ['cravate']),
  term('belt', 'belt', [], ['ceinture']),
];

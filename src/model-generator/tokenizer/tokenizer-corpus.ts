/**
 * Words the generated tokenizer learns its merges from: the fashion vocabulary of the release notes'
 * prompts (garments, fabrics, patterns, colours, genders), in English and French, and the glue words
 * of prompts. Frequencies are rough weights; they only order the merges.
 */
const FASHION_WORDS = `
dress gown skirt shirt blouse top trousers pants shorts jacket coat blazer suit jumpsuit kaftan caftan
dashiki boubou agbada kanzu jellabiya abaya tunic wrapper headwrap gele turban scarf shawl sandals shoes
bag hat cap beads necklace earrings bracelet jewellery jewelry belt sleeve sleeves collar hem neckline
kente ankara wax print prints batik adire bogolan mudcloth kitenge kanga aso oke asooke shweshwe lace
cotton silk linen velvet satin chiffon denim leather wool raffia brocade damask organza tulle jersey
pattern patterns geometric floral stripes striped circles dots spirals motifs symbols woven weave
handwoven embroidered embroidery beaded tie dye indigo dyed plain textured texture swatch fabric
textile material colour color colours colors red blue green yellow orange purple pink brown black
white gold golden silver grey gray beige cream navy maroon teal turquoise burgundy ivory
men women man woman male female unisex kids children boy girl adult model wearing worn
traditional modern contemporary african west east south north nigerian ghanaian senegalese malian
kenyan ethiopian fashion style outfit clothing garment apparel design designer collection studio
photo photograph portrait product shot background high quality detailed full body long short
robe jupe chemise chemisier pantalon veste manteau tissu pagne coton soie lin velours dentelle cuir
laine motif motifs rayures cercles imprimé imprimée brodé brodée tissé tissée rouge bleu bleue vert
verte jaune noir noire blanc blanche violet rose marron doré dorée argenté gris grise homme femme
enfant mode traditionnel traditionnelle moderne africain africaine écharpe foulard boubous perles
`;

const GLUE_WORDS = `a an the of with and in on for by to at from as is are this that his her their
de la le les des du un une et en avec pour sur au aux`;

/** (word, weight) pairs; glue words weigh more, as they do in real prompts. */
export function tokenizerCorpus(): ReadonlyArray<readonly [string, number]> {
  const words = new Map<string, number>();
  for (const w of FASHION_WORDS.split(/\s+/).filter(Boolean)) words.set(w, (words.get(w) ?? 0) + 2);
  for (const w of GLUE_WORDS.split(/\s+/).filter(Boolean)) words.set(w, (words.get(w) ?? 0) + 5);
  return [...words.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Phrases that contain vocabulary words but name no attribute: "manches longues" is about the
 * sleeves, not the length of the dress. The parser takes them whole (longest match first) and
 * reports them as unplaced instead of misreading them. Written unfolded; plurals are derived.
 */
export const NON_ATTRIBUTE_PHRASES: readonly string[] = [
  'long sleeve', 'long sleeved', 'long-sleeve', 'short sleeve', 'short sleeved', 'short-sleeve', '3/4 sleeve', 'half sleeve',
  'high waist', 'high waisted', 'high-waisted', 'off the shoulder', 'off shoulder',
  'manche longue', 'manche courte', 'manches 3/4', 'manche trois quart', 'taille haute', 'épaules dénudées', 'col rond', 'col v',
];

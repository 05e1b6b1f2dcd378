/**
 * Where a client reads a result over REST: the one place these paths are written, for every
 * transport that hands out URLs (REST's JSON views and GraphQL's models point at the same paths).
 */

export function generationUrl(id: string): string {
  return `/v1/generations/${id}`;
}

export function generationImageUrl(id: string, index: number): string {
  return `${generationUrl(id)}/images/${index}`;
}

export function comparisonUrl(id: string): string {
  return `/v1/comparisons/${id}`;
}

/** Cell `row` (prompt) × `column` (checkpoint, counted without the reference column). */
export function comparisonCellUrl(id: string, row: number, column: number): string {
  return `${comparisonUrl(id)}/cells/${row}/${column}`;
}

export function comparisonGridUrl(id: string): string {
  return `${comparisonUrl(id)}/grid`;
}

/** The uploaded reference image, scaled to the cell size as the grid's first column shows it. */
export function comparisonReferenceUrl(id: string): string {
  return `${comparisonUrl(id)}/reference`;
}

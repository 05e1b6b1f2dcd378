/**
 * The labelled grid of a checkpoint comparison, as in the release notes' figures: one row per
 * prompt, one column per checkpoint titled with its label and training step, and optionally a
 * reference image as the first column. Labels are SVG text rendered by sharp.
 */
import sharp, { type OverlayOptions } from 'sharp';
import type { RgbImage } from '../engine/pipeline/decode-latents';

export interface GridColumn {
  readonly title: string;
  /** e.g. "20,000 steps" or "uploaded"; omitted for the baseline. */
  readonly subtitle?: string;
}

export interface ComparisonGridInput {
  readonly columns: readonly GridColumn[];
  readonly rowTitles: readonly string[];
  /** cells[row][column], all the same size. */
  readonly cells: readonly (readonly RgbImage[])[];
  readonly gap?: number;
  /**
   * An uploaded reference image shown as the first column, before the checkpoints, in every row.
   * It must have the cells' size; the column is titled REFERENCE_COLUMN unless `column` is given.
   */
  readonly reference?: { readonly image: RgbImage; readonly column?: GridColumn };
}

export const REFERENCE_COLUMN: GridColumn = { title: 'Reference', subtitle: 'uploaded' };

const HEADER_HEIGHT = 48;
const DEFAULT_GAP = 8;
const ROW_TITLE_WIDTH = 180;
const FONT = 'font-family="DejaVu Sans, Arial, sans-serif"';

export async function renderComparisonGrid(input: ComparisonGridInput): Promise<Buffer> {
  const { columns, rowTitles, cells } = input;
  const gap = input.gap ?? DEFAULT_GAP;
  const first = cells[0]?.[0];
  if (!first) throw new RangeError('a comparison grid needs at least one cell');
  if (cells.length !== rowTitles.length || cells.some((row) => row.length !== columns.length)) {
    throw new RangeError(`expected ${rowTitles.length} rows of ${columns.length} cells`);
  }
  const { width: cw, height: ch } = first;
  if (cells.some((row) => row.some((c) => c.width !== cw || c.height !== ch))) throw new RangeError('every cell must have the same size');
  const reference = input.reference;
  if (reference && (reference.image.width !== cw || reference.image.height !== ch)) throw new RangeError('the reference image must have the same size as the cells');

  const allColumns = gridColumns(input);
  const allCells = reference ? cells.map((row) => [reference.image, ...row]) : cells;
  const { width, height } = gridSize(allColumns.length, rowTitles.length, cw, ch, gap);
  const overlays: OverlayOptions[] = [{ input: Buffer.from(labelsSvg(allColumns, rowTitles, width, height, cw, ch, gap)), left: 0, top: 0 }];
  allCells.forEach((row, r) =>
    row.forEach((cell, c) => {
      overlays.push({
        input: Buffer.from(cell.data.buffer, cell.data.byteOffset, cell.data.byteLength),
        raw: { width: cw, height: ch, channels: 3 },
        left: ROW_TITLE_WIDTH + gap + c * (cw + gap),
        top: HEADER_HEIGHT + r * (ch + gap),
      });
    }),
  );
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite(overlays)
    .png()
    .toBuffer();
}

/** The grid's size in pixels for this many columns (the reference counts) and rows of cells of this size. */
export function gridSize(columns: number, rows: number, cellWidth: number, cellHeight: number, gap = DEFAULT_GAP): { width: number; height: number } {
  return { width: ROW_TITLE_WIDTH + columns * (cellWidth + gap) + gap, height: HEADER_HEIGHT + rows * (cellHeight + gap) + gap };
}

/** The grid's columns, left to right: the reference (when there is one), then the checkpoints. */
export function gridColumns(input: Pick<ComparisonGridInput, 'columns' | 'reference'>): readonly GridColumn[] {
  return input.reference ? [input.reference.column ?? REFERENCE_COLUMN, ...input.columns] : input.columns;
}

function labelsSvg(columns: readonly GridColumn[], rowTitles: readonly string[], width: number, height: number, cw: number, ch: number, gap: number): string {
  const texts: string[] = [];
  columns.forEach((column, c) => {
    const x = ROW_TITLE_WIDTH + gap + c * (cw + gap) + cw / 2;
    texts.push(`<text x="${x}" y="20" ${FONT} font-size="15" font-weight="bold" text-anchor="middle">${escapeXml(fitText(column.title, cw))}</text>`);
    if (column.subtitle) texts.push(`<text x="${x}" y="39" ${FONT} font-size="12" fill="#555" text-anchor="middle">${escapeXml(fitText(column.subtitle, cw))}</text>`);
  });
  rowTitles.forEach((title, r) => {
    const lines = wrap(title, 22).slice(0, Math.max(1, Math.floor(ch / 18)));
    const top = HEADER_HEIGHT + r * (ch + gap) + ch / 2 - ((lines.length - 1) * 17) / 2 + 5;
    lines.forEach((line, i) => texts.push(`<text x="${gap}" y="${top + i * 17}" ${FONT} font-size="14">${escapeXml(line)}</text>`));
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${texts.join('')}</svg>`;
}

/** Roughly 8 px per character at these sizes; longer titles are cut with an ellipsis. */
function fitText(text: string, pixels: number): string {
  const max = Math.max(4, Math.floor(pixels / 8));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = '';
    }
    line = line ? `${line} ${word}` : word.slice(0, width);
  }
  if (line) lines.push(line);
  return lines;
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

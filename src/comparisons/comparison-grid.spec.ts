import sharp from 'sharp';
import { escapeXml, gridColumns, REFERENCE_COLUMN, renderComparisonGrid } from './comparison-grid';

const cell = (value: number) => ({ width: 16, height: 12, data: new Uint8Array(16 * 12 * 3).fill(value) });

describe('renderComparisonGrid', () => {
  it('lays out rows of prompts and titled columns of checkpoints around same-size cells', async () => {
    const png = await renderComparisonGrid({
      columns: [{ title: 'baseline' }, { title: 'final', subtitle: '100,000 steps' }],
      rowTitles: ['red kente', 'blue <adire> & "wax"'],
      cells: [
        [cell(10), cell(200)],
        [cell(60), cell(250)],
      ],
      gap: 4,
    });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    // 180 px of row titles, then two 16-px columns with 4-px gaps; a 48-px header, then two 12-px rows.
    expect([info.width, info.height]).toEqual([180 + 2 * 20 + 4, 48 + 2 * 16 + 4]);
    const at = (x: number, y: number): number => data[(y * info.width + x) * info.channels] as number;
    expect(at(180 + 4 + 8, 48 + 6)).toBe(10); // row 0, column 0
    expect(at(180 + 4 + 20 + 8, 48 + 16 + 6)).toBe(250); // row 1, column 1
  });

  it('refuses ragged or mismatched cells', async () => {
    await expect(renderComparisonGrid({ columns: [{ title: 'a' }], rowTitles: ['p'], cells: [[cell(1), cell(2)]] })).rejects.toThrow(/expected 1 rows of 1 cells/);
    await expect(
      renderComparisonGrid({ columns: [{ title: 'a' }, { title: 'b' }], rowTitles: ['p'], cells: [[cell(1), { ...cell(1), width: 8, data: new Uint8Array(8 * 12 * 3) }]] }),
    ).rejects.toThrow(/same size/);
    await expect(renderComparisonGrid({ columns: [], rowTitles: [], cells: [] })).rejects.toThrow(/at least one cell/);
  });

  it('puts the reference image first in every row, titled "Reference", and the checkpoints after it', async () => {
    const input = {
      columns: [{ title: 'baseline' }, { title: 'final', subtitle: '100,000 steps' }],
      rowTitles: ['red kente', 'blue wax'],
      cells: [
        [cell(10), cell(200)],
        [cell(60), cell(250)],
      ],
      gap: 4,
    };
    const reference = { image: cell(120) };
    expect(gridColumns({ ...input, reference })).toEqual([{ title: 'Reference', subtitle: 'uploaded' }, ...input.columns]);
    expect(REFERENCE_COLUMN.title).toBe('Reference');
    expect(gridColumns(input)).toEqual(input.columns);

    const png = await renderComparisonGrid({ ...input, reference });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    // One more 16-px column than without the reference; the same height.
    expect([info.width, info.height]).toEqual([180 + 3 * 20 + 4, 48 + 2 * 16 + 4]);
    const at = (x: number, y: number): number => data[(y * info.width + x) * info.channels] as number;
    const column = (c: number): number => 180 + 4 + c * 20 + 8;
    expect([at(column(0), 48 + 6), at(column(0), 48 + 16 + 6)]).toEqual([120, 120]); // the reference, in both rows
    expect([at(column(1), 48 + 6), at(column(2), 48 + 6)]).toEqual([10, 200]); // row 0's checkpoints, shifted right
    expect([at(column(1), 48 + 16 + 6), at(column(2), 48 + 16 + 6)]).toEqual([60, 250]);
    // The header above the reference column carries its title (dark text on white).
    let darkest = 255;
    for (let y = 5; y < 44; y++) for (let x = 180 + 4; x < 180 + 4 + 16; x++) darkest = Math.min(darkest, at(x, y));
    expect(darkest).toBeLessThan(160);

    await expect(renderComparisonGrid({ ...input, reference: { image: { ...cell(1), width: 8, data: new Uint8Array(8 * 12 * 3) } } })).rejects.toThrow(/reference image must have the same size/);
  });

  it('escapes prompt text for the SVG labels', () => {
    expect(escapeXml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
  });
});

/**
 * The comparison grid: one row per prompt, one column per checkpoint (after the reference photo's,
 * if any), every cell a button of fixed size and aspect ratio, so nothing moves while images load.
 * A cell is focusable and opens (click, Enter or Space) once its final image is there.
 */

/** A cell's state, as its data-state attribute and its status line show it. */
export type CellState = 'queued' | 'running' | 'preview' | 'done' | 'cancelled' | 'failed';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const element = Object.assign(document.createElement(tag), props);
  element.append(...children);
  return element;
}

export function renderGrid(grid: HTMLElement, rowPrompts: readonly string[], checkpoints: readonly string[], width: number, height: number, referenceUrl?: string): void {
  grid.style.setProperty('--columns', String(checkpoints.length + (referenceUrl ? 1 : 0)));
  grid.style.setProperty('--aspect', `${width} / ${height}`);
  const reference = (): HTMLElement[] => (referenceUrl ? [el('div', { className: 'cell reference' }, el('img', { src: referenceUrl, alt: 'Reference photo', width, height }))] : []);
  grid.replaceChildren(
    el('div', { className: 'corner' }),
    ...(referenceUrl ? [el('div', { className: 'column-head', textContent: 'Reference' })] : []),
    ...checkpoints.map((c) => el('div', { className: 'column-head', textContent: c })),
    ...rowPrompts.flatMap((prompt, row) => [
      el('div', { className: 'row-head', textContent: prompt, title: prompt }),
      ...reference(),
      ...checkpoints.map((checkpoint, column) => {
        const button = el('button', { type: 'button', className: 'cell', id: `cell-${row}-${column}` }, el('img', { alt: `${checkpoint}: ${prompt}`, width, height }), el('span', { className: 'cell-status', textContent: 'queued' }));
        button.dataset['checkpoint'] = checkpoint;
        setState(button, 'queued', 'queued');
        return button;
      }),
    ]),
  );
}

export function cellAt(row: number, column: number): HTMLButtonElement | null {
  return document.querySelector<HTMLButtonElement>(`#cell-${row}-${column}`);
}

/**
 * A cell's state and status line (and image, when given). Only a done cell opens; the others stay
 * in the tab order (aria-disabled rather than disabled), so a keyboard user hears each one's status.
 */
export function setCell(row: number, column: number, state: CellState, status: string, src?: string): void {
  const cell = cellAt(row, column);
  if (!cell) return;
  setState(cell, state, status);
  const img = cell.querySelector('img');
  if (src && img) img.src = src;
}

function setState(cell: HTMLButtonElement, state: CellState, status: string): void {
  cell.dataset['state'] = state;
  const label = cell.querySelector('.cell-status');
  if (label) label.textContent = status;
  const [, row] = cell.id.split('-').map(Number);
  cell.setAttribute('aria-label', `Row ${(row ?? 0) + 1}, ${cell.dataset['checkpoint'] ?? ''}: ${status}`);
  cell.setAttribute('aria-disabled', String(state !== 'done'));
}

/** Whether a cell has its final image (and so opens). */
export function isOpenable(cell: HTMLButtonElement): boolean {
  return cell.dataset['state'] === 'done';
}

/**
 * The studio: build or type prompts, pick checkpoints, compare them in a grid that fills live
 * (previews, then the final images), reopen past comparisons. Every call goes through the REST API
 * with the key typed in the page (kept in sessionStorage: this tab only).
 */
import { ApiError, StudioApi } from './api.js';
import { readEvents } from './sse.js';

interface Term {
  readonly id: string;
  readonly label: string;
  readonly synonyms: { readonly en: readonly string[]; readonly fr: readonly string[] };
}
type Vocabulary = Record<'garment' | 'fabric' | 'colour' | 'gender' | 'length' | 'accessory', readonly Term[]>;
interface Checkpoint {
  readonly id: string;
  readonly label: string;
  readonly status: string;
}
interface Preview {
  readonly mimeType: string;
  readonly base64: string;
}
interface CellEvent {
  readonly row: number;
  readonly column: number;
  readonly step: number;
  readonly totalSteps: number;
  readonly preview?: Preview;
}
interface DoneEvent {
  readonly status: 'succeeded' | 'failed';
  readonly error?: { readonly message: string };
}
interface ComparisonView {
  readonly id: string;
  readonly seed: string;
  readonly cells: ReadonlyArray<{ readonly row: number; readonly column: number; readonly imageUrl: string }>;
}
interface ComparisonSummary {
  readonly id: string;
  readonly createdAt: string;
  readonly seed: string;
  readonly prompts: readonly string[];
  readonly checkpoints: readonly string[];
}

const KEY_STORAGE = 'afd-studio-key';
/** Tokens per prompt chunk: CLIP's 77 positions less bos and eos. */
const CHUNK_TOKENS = 75;
/** The builder's single-choice categories (a select) and list categories (checkboxes), with the build request's field names. */
const SINGLE = [['garment', 'garment'], ['gender', 'gender'], ['length', 'length']] as const;
const LISTS = [['fabric', 'fabrics'], ['colour', 'colours'], ['accessory', 'accessories']] as const;

/** The comparison the grid shows: what a cell's view needs to state its parameters. */
interface Shown {
  readonly id: string;
  readonly seed: string;
  readonly prompts: readonly string[];
  readonly checkpoints: readonly string[];
  readonly settings: Readonly<Record<string, unknown>>;
}

const api = new StudioApi();
let shown: Shown | undefined;
let vocabulary: Vocabulary | undefined;
let running: AbortController | undefined;

function $<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} missing from the page`);
  return element as T;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const element = Object.assign(document.createElement(tag), props);
  element.append(...children);
  return element;
}

function say(text: string): void {
  $('status').textContent = text;
}

/** An API refusal beside the field it names (its error slot), or in the page's error line. */
function showError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  const field = error instanceof ApiError && error.field ? /^[A-Za-z]+/.exec(error.field)?.[0] : undefined;
  const slot = field ? document.querySelector<HTMLElement>(`[data-error-for="${field}"]`) : null;
  const target = slot ?? $('error');
  target.textContent = message;
  const input = field ? document.querySelector<HTMLElement>(`[name="${field}"]`) : null;
  input?.setAttribute('aria-invalid', 'true');
}

function clearErrors(): void {
  for (const slot of document.querySelectorAll<HTMLElement>('[data-error-for], #error')) slot.textContent = '';
  for (const input of document.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
}

function prompts(): string[] {
  return $<HTMLTextAreaElement>('prompt')
    .value.split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** The live token count of each prompt line: its chunks of 75 tokens, and what is cut past the last one. */
let tokenizeTimer: number | undefined;
function scheduleTokenCount(): void {
  window.clearTimeout(tokenizeTimer);
  tokenizeTimer = window.setTimeout(() => void countTokens(), 250);
}
async function countTokens(): Promise<void> {
  const out = $('token-count');
  const lines = prompts();
  if (lines.length === 0) {
    out.textContent = '';
    return;
  }
  try {
    const counts = await Promise.all(
      lines.map((text) => api.json<{ count: number; chunks: number; maxChunks: number; truncated: boolean; dropped: { text: string } }>('POST', '/v1/prompts/tokenize', { text })),
    );
    out.replaceChildren(
      ...counts.map((c, i) => {
        // count holds bos and eos; a chunk holds 75 tokens between its own bos and eos.
        const chunks = c.chunks > 1 ? ` (${c.chunks} chunks)` : '';
        const cut = c.truncated ? ` — past ${c.maxChunks} chunks, dropping “${c.dropped.text}”` : '';
        return el('li', { className: c.truncated ? 'warning' : '' }, `Row ${i + 1}: ${c.count - 2} / ${c.chunks * CHUNK_TOKENS} tokens${chunks}`, cut);
      }),
    );
  } catch (error) {
    out.textContent = '';
    showError(error);
  }
}

function termLabel(term: Term, language: string): string {
  return (language === 'fr' ? term.synonyms.fr[0] : undefined) ?? term.label;
}

function renderBuilder(): void {
  if (!vocabulary) return;
  const language = document.querySelector<HTMLInputElement>('input[name="language"]:checked')?.value ?? 'en';
  for (const [category] of SINGLE) {
    const select = $<HTMLSelectElement>(`builder-${category}`);
    const chosen = select.value;
    select.replaceChildren(el('option', { value: '', textContent: '—' }), ...vocabulary[category].map((t) => el('option', { value: t.id, textContent: termLabel(t, language) })));
    select.value = chosen;
  }
  for (const [category] of LISTS) {
    const box = $(`builder-${category}`);
    const chosen = new Set([...box.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value));
    box.replaceChildren(
      ...vocabulary[category].map((t) => el('label', { className: 'chip' }, el('input', { type: 'checkbox', value: t.id, checked: chosen.has(t.id) }), termLabel(t, language))),
    );
  }
}

async function buildPrompt(): Promise<void> {
  clearErrors();
  const attributes: Record<string, string | string[]> = {};
  for (const [category, field] of SINGLE) {
    const value = $<HTMLSelectElement>(`builder-${category}`).value;
    if (value) attributes[field] = value;
  }
  for (const [category, field] of LISTS) {
    const values = [...$(`builder-${category}`).querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value);
    if (values.length > 0) attributes[field] = values;
  }
  try {
    const built = await api.json<{ prompt: string }>('POST', '/v1/prompts/build', { attributes });
    const area = $<HTMLTextAreaElement>('prompt');
    area.value = area.value.trim() === '' ? built.prompt : `${area.value.trimEnd()}\n${built.prompt}`;
    await countTokens();
  } catch (error) {
    showError(error);
  }
}

async function loadCheckpoints(): Promise<void> {
  const { checkpoints } = await api.json<{ checkpoints: Checkpoint[] }>('GET', '/v1/checkpoints');
  $('checkpoints').replaceChildren(
    ...checkpoints.map((c) =>
      el('label', { className: 'chip' }, el('input', { type: 'checkbox', name: 'checkpoint', value: c.id, checked: c.status === 'available', disabled: c.status !== 'available' }), c.label || c.id),
    ),
  );
}

function numberField(id: string): number | undefined {
  const raw = $<HTMLInputElement>(id).value.trim();
  return raw === '' ? undefined : Number(raw);
}

function compareRequest(): Record<string, unknown> {
  const checkpoints = [...document.querySelectorAll<HTMLInputElement>('input[name="checkpoint"]:checked')].map((i) => i.value);
  const steps = numberField('steps');
  const request: Record<string, unknown> = {
    prompts: prompts(),
    checkpoints,
    steps,
    guidanceScale: numberField('guidance'),
    scheduler: $<HTMLSelectElement>('scheduler').value,
    width: numberField('width'),
    height: numberField('height'),
    preview: true,
    // About ten previews per cell: enough to see it sharpen, few enough to stay light.
    previewInterval: Math.max(1, Math.floor((steps ?? 25) / 10)),
  };
  const negative = $<HTMLTextAreaElement>('negative').value.trim();
  if (negative) request['negativePrompt'] = negative;
  if ($<HTMLInputElement>('seed-locked').checked) request['seed'] = $<HTMLInputElement>('seed').value.trim();
  return request;
}

/** The reference photo chosen (file field or dropped on its zone), if any. */
function referenceFile(): File | undefined {
  return $<HTMLInputElement>('reference').files?.[0];
}

/**
 * An empty grid: one row per prompt, one column per checkpoint, every cell a fixed-size box; with a
 * reference photo, it is the first column (as in the release notes' figures).
 */
function renderGrid(rowPrompts: readonly string[], checkpoints: readonly string[], width: number, height: number, referenceUrl?: string): void {
  const grid = $('grid');
  grid.style.setProperty('--columns', String(checkpoints.length + (referenceUrl ? 1 : 0)));
  grid.style.setProperty('--aspect', `${width} / ${height}`);
  const reference = (): HTMLElement[] => (referenceUrl ? [el('div', { className: 'cell reference' }, el('img', { src: referenceUrl, alt: 'Reference photo' }))] : []);
  grid.replaceChildren(
    el('div', { className: 'corner' }),
    ...(referenceUrl ? [el('div', { className: 'column-head', textContent: 'Reference' })] : []),
    ...checkpoints.map((c) => el('div', { className: 'column-head', textContent: c })),
    ...rowPrompts.flatMap((prompt, row) => [
      el('div', { className: 'row-head', textContent: prompt, title: prompt }),
      ...reference(),
      ...checkpoints.map((checkpoint, column) => {
        const button = el('button', { type: 'button', className: 'cell', id: `cell-${row}-${column}`, disabled: true }, el('img', { alt: `${checkpoint}: ${prompt}` }), el('span', { className: 'cell-status', textContent: 'queued' }));
        button.dataset['state'] = 'queued';
        button.setAttribute('aria-label', `Row ${row + 1}, ${checkpoint}`);
        return button;
      }),
    ]),
  );
}

function cellAt(row: number, column: number): HTMLButtonElement | null {
  return document.querySelector<HTMLButtonElement>(`#cell-${row}-${column}`);
}

function setCell(row: number, column: number, state: string, status: string, src?: string): void {
  const cell = cellAt(row, column);
  if (!cell) return;
  cell.dataset['state'] = state;
  const label = cell.querySelector('.cell-status');
  if (label) label.textContent = status;
  const img = cell.querySelector('img');
  if (src && img) img.src = src;
}

/** The final images of a finished comparison into the grid (fetched with the key: <img> cannot send it). */
async function loadFinalImages(id: string, rows: number, columns: number): Promise<void> {
  const jobs: Array<Promise<void>> = [];
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      jobs.push(
        api.imageUrl(`/v1/comparisons/${id}/cells/${row}/${column}`).then(
          (url) => {
            setCell(row, column, 'done', 'done', url);
            const cell = cellAt(row, column);
            if (cell) cell.disabled = false;
          },
          (error: unknown) => setCell(row, column, 'failed', error instanceof Error ? error.message : 'failed'),
        ),
      );
    }
  }
  await Promise.all(jobs);
}

async function compare(): Promise<void> {
  clearErrors();
  running?.abort();
  const controller = new AbortController();
  running = controller;
  const request = compareRequest();
  const rowPrompts = request['prompts'] as string[];
  const checkpoints = request['checkpoints'] as string[];
  const compareButton = $<HTMLButtonElement>('compare');
  compareButton.disabled = true;
  $<HTMLButtonElement>('stop').disabled = false;
  try {
    say('Starting…');
    const reference = referenceFile();
    let view: ComparisonView;
    if (reference) {
      const form = new FormData();
      form.append('request', JSON.stringify(request));
      form.append('referenceImage', reference);
      view = await api.form<ComparisonView>('/v1/comparisons', form, { prefer: 'respond-async' });
    } else view = await api.json<ComparisonView>('POST', '/v1/comparisons', request, { prefer: 'respond-async' });
    if (!$<HTMLInputElement>('seed-locked').checked) $<HTMLInputElement>('seed').value = view.seed;
    const { prompts: _p, checkpoints: _c, preview: _v, previewInterval: _i, seed: _s, ...settings } = request;
    shown = { id: view.id, seed: view.seed, prompts: rowPrompts, checkpoints, settings };
    renderGrid(rowPrompts, checkpoints, Number(request['width'] ?? 512), Number(request['height'] ?? 512), reference ? URL.createObjectURL(reference) : undefined);
    say(`Comparison ${view.id}: running`);
    let done: DoneEvent | undefined;
    await readEvents(await api.stream(`/v1/comparisons/${view.id}/events`, controller.signal), ({ event, data }) => {
      if (event === 'cell') {
        const cell = data as CellEvent;
        const src = cell.preview ? `data:${cell.preview.mimeType};base64,${cell.preview.base64}` : undefined;
        setCell(cell.row, cell.column, cell.preview ? 'preview' : 'running', `step ${cell.step} / ${cell.totalSteps}`, src);
      } else if (event === 'done') done = data as DoneEvent;
    });
    if (done?.status === 'succeeded') {
      await loadFinalImages(view.id, rowPrompts.length, checkpoints.length);
      say(`Comparison ${view.id}: done (seed ${view.seed})`);
      void loadHistory();
    } else {
      say(`Comparison ${view.id}: failed`);
      showError(new Error(done?.error?.message ?? 'The comparison stream ended without a result'));
    }
  } catch (error) {
    if (controller.signal.aborted) say('Stopped watching (the comparison goes on on the server; reopen it from the history).');
    else {
      say('');
      showError(error);
    }
  } finally {
    compareButton.disabled = false;
    $<HTMLButtonElement>('stop').disabled = true;
    if (running === controller) running = undefined;
  }
}

/** This key's comparisons, newest first; `cursor` appends the next page (the More button). */
async function loadHistory(cursor?: string): Promise<void> {
  const more = $<HTMLButtonElement>('history-more');
  try {
    const page = await api.json<{ items: ComparisonSummary[]; nextCursor?: string }>('GET', `/v1/comparisons${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
    const items = page.items.map((item) =>
      el(
        'li',
        {},
        el('button', { type: 'button', className: 'link', textContent: `${new Date(item.createdAt).toLocaleString()} — ${item.prompts[0] ?? ''}`, onclick: () => void reopen(item) }),
        ` (${item.checkpoints.length} checkpoints, seed ${item.seed})`,
      ),
    );
    if (cursor) $('history').append(...items);
    else $('history').replaceChildren(...items);
    more.hidden = page.nextCursor === undefined;
    more.onclick = page.nextCursor === undefined ? null : () => void loadHistory(page.nextCursor);
  } catch (error) {
    more.hidden = true;
    $('history').replaceChildren(el('li', { textContent: error instanceof Error ? error.message : 'History unavailable' }));
  }
}

async function reopen(item: ComparisonSummary): Promise<void> {
  clearErrors();
  // The summary keeps no size: square cells (the image keeps its own ratio inside).
  renderGrid(item.prompts, item.checkpoints, 1, 1);
  shown = { id: item.id, seed: item.seed, prompts: item.prompts, checkpoints: item.checkpoints, settings: {} };
  say(`Comparison ${item.id} (seed ${item.seed})`);
  await loadFinalImages(item.id, item.prompts.length, item.checkpoints.length);
}

/** A cell at full size with a download link (the PNG as the API gives it, parameters chunk included). */
function openCell(cell: HTMLButtonElement): void {
  const img = cell.querySelector('img');
  if (!img?.src) return;
  const dialog = $<HTMLDialogElement>('cell-dialog');
  $<HTMLImageElement>('cell-full').src = img.src;
  $<HTMLImageElement>('cell-full').alt = img.alt;
  $('cell-caption').textContent = img.alt;
  const [, row, column] = cell.id.split('-').map(Number);
  const prompt = shown?.prompts[row ?? 0];
  const checkpoint = shown?.checkpoints[column ?? 0];
  if (shown && prompt !== undefined && checkpoint !== undefined) {
    const parameters = { prompt, checkpoint, seed: shown.seed, ...shown.settings };
    $('cell-parameters').textContent = JSON.stringify(parameters, null, 2);
    $<HTMLTextAreaElement>('cell-curl').value = curlCommand(parameters);
    $('cell-seed').dataset['seed'] = shown.seed;
  }
  const download = $<HTMLAnchorElement>('cell-download');
  download.href = img.src;
  download.download = `${cell.id}.png`;
  dialog.showModal();
}

/** The same image as one generation, as a command to paste (the key left as a variable). */
function curlCommand(parameters: Record<string, unknown>): string {
  const quote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;
  const key = api.key ? ` -H 'X-API-Key: '"$AFD_KEY"` : '';
  return `curl -X POST ${quote(`${location.origin}/v1/generations`)} -H 'content-type: application/json' -H 'accept: image/png'${key} -d ${quote(JSON.stringify(parameters))} -o image.png`;
}

async function start(): Promise<void> {
  const key = $<HTMLInputElement>('key');
  key.value = sessionStorage.getItem(KEY_STORAGE) ?? '';
  api.key = key.value.trim();
  key.addEventListener('change', () => {
    api.key = key.value.trim();
    if (api.key) sessionStorage.setItem(KEY_STORAGE, api.key);
    else sessionStorage.removeItem(KEY_STORAGE);
    void reload();
  });
  $('prompt').addEventListener('input', scheduleTokenCount);
  for (const radio of document.querySelectorAll('input[name="language"]')) radio.addEventListener('change', renderBuilder);
  $('build').addEventListener('click', () => void buildPrompt());
  $('seed-locked').addEventListener('change', () => ($<HTMLInputElement>('seed').readOnly = !$<HTMLInputElement>('seed-locked').checked));
  $('compare-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void compare();
  });
  $('stop').addEventListener('click', () => running?.abort());
  $('grid').addEventListener('click', (event) => {
    const cell = (event.target as HTMLElement).closest<HTMLButtonElement>('button.cell');
    if (cell && !cell.disabled) openCell(cell);
  });
  const drop = $('reference-drop');
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    const files = event.dataTransfer?.files;
    if (files && files.length > 0) $<HTMLInputElement>('reference').files = files;
  });
  $('reference-clear').addEventListener('click', () => ($<HTMLInputElement>('reference').value = ''));
  $('cell-seed').addEventListener('click', () => {
    // Same seed on other checkpoints: lock it, then choose checkpoints and compare again.
    $<HTMLInputElement>('seed').value = $('cell-seed').dataset['seed'] ?? '';
    $<HTMLInputElement>('seed-locked').checked = true;
    $<HTMLInputElement>('seed').readOnly = false;
    $<HTMLDialogElement>('cell-dialog').close();
    $('checkpoints').querySelector<HTMLInputElement>('input')?.focus();
  });
  $('cell-close').addEventListener('click', () => $<HTMLDialogElement>('cell-dialog').close());
  await reload();
}

/** Everything read with the key: vocabulary, checkpoints, history. */
async function reload(): Promise<void> {
  clearErrors();
  try {
    vocabulary = (await api.json<{ vocabulary: Vocabulary }>('GET', '/v1/prompts/vocabulary')).vocabulary;
    renderBuilder();
    await loadCheckpoints();
    await loadHistory();
    say('Ready');
    document.body.dataset['ready'] = 'true';
  } catch (error) {
    say('');
    showError(error);
  }
}

void start();

/**
 * A cell at full size: its parameters, "download PNG" (the API's PNG, parameters chunk included),
 * the same image as one generation to paste (curl or GraphQL), "same seed on other checkpoints".
 * A native modal <dialog>: Escape closes it, and focus goes back to the cell that opened it.
 */

/** What one cell was made with, as a generation request (REST's field names and values). */
export type CellParameters = Readonly<Record<string, unknown>> & { readonly prompt: string; readonly checkpoint: string; readonly seed: string };

/** GraphQL names the schedulers as enum values; REST by their diffusers-style ids. */
const GRAPHQL_SCHEDULERS: Readonly<Record<string, string>> = { pndm: 'PNDM', ddim: 'DDIM', euler: 'EULER', 'euler-a': 'EULER_A', 'dpm++2m': 'DPMPP_2M', lms: 'LMS' };

function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The same image as one REST generation (the key left as a shell variable). */
export function curlCommand(origin: string, parameters: CellParameters, hasKey: boolean): string {
  const key = hasKey ? ` -H 'X-API-Key: '"$AFD_KEY"` : '';
  return `curl -X POST ${quote(`${origin}/v1/generations`)} -H 'content-type: application/json' -H 'accept: image/png'${key} -d ${quote(JSON.stringify(parameters))} -o image.png`;
}

/** The same image as the GraphQL generate mutation, as a request body for POST /graphql. */
export function graphqlRequest(parameters: CellParameters): string {
  const scheduler = typeof parameters['scheduler'] === 'string' ? GRAPHQL_SCHEDULERS[parameters['scheduler']] : undefined;
  const input = { ...parameters, ...(scheduler ? { scheduler } : {}) };
  const query = 'mutation Generate($input: GenerateInput!) { generate(input: $input, wait: true) { id status images { index seed url } } }';
  return JSON.stringify({ query, variables: { input } }, null, 2);
}

export interface OpenedCell {
  /** The cell's button: focus returns to it when the dialog closes. */
  readonly opener: HTMLElement;
  readonly imageSrc: string;
  readonly alt: string;
  readonly fileName: string;
  readonly width: number;
  readonly height: number;
  readonly parameters: CellParameters | undefined;
  readonly hasKey: boolean;
}

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} missing from the page`);
  return element as T;
}

export function openCellDialog(cell: OpenedCell): void {
  const dialog = byId<HTMLDialogElement>('cell-dialog');
  const full = byId<HTMLImageElement>('cell-full');
  // The box takes the image's shape before it decodes.
  const box = full.parentElement;
  box?.style.setProperty('--aspect', `${cell.width} / ${cell.height}`);
  box?.style.setProperty('--aspect-ratio', String(cell.width / cell.height));
  full.width = cell.width;
  full.height = cell.height;
  full.src = cell.imageSrc;
  full.alt = cell.alt;
  byId('cell-caption').textContent = cell.alt;
  const parameters = cell.parameters;
  byId('cell-parameters').textContent = parameters ? JSON.stringify(parameters, null, 2) : '';
  byId<HTMLTextAreaElement>('cell-curl').value = parameters ? curlCommand(location.origin, parameters, cell.hasKey) : '';
  byId<HTMLTextAreaElement>('cell-graphql').value = parameters ? graphqlRequest(parameters) : '';
  byId('cell-seed').dataset['seed'] = parameters?.seed ?? '';
  const download = byId<HTMLAnchorElement>('cell-download');
  download.href = cell.imageSrc;
  download.download = cell.fileName;
  dialog.addEventListener('close', () => cell.opener.focus(), { once: true });
  dialog.showModal();
}

/** The copy buttons: the text of the field they name to the clipboard, or selected for the user to copy. */
export function wireCopyButtons(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('button.copy')) {
    button.addEventListener('click', () => {
      const field = byId<HTMLTextAreaElement>(button.dataset['copy'] ?? '');
      const label = button.textContent ?? '';
      field.select();
      navigator.clipboard?.writeText(field.value).then(
        () => {
          button.textContent = 'Copied';
          window.setTimeout(() => (button.textContent = label), 1500);
        },
        () => undefined,
      );
    });
  }
}

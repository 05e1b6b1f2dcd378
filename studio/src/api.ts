/** The studio's calls to the REST API: JSON in and out, the typed key on every request, errors as the API words them. */

/** A refusal from the API: `{code, message, details}`, with the field it names when it names one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | undefined,
  ) {
    super(message);
  }
}

export class StudioApi {
  /** The key the user typed; empty means open mode (no header). */
  key = '';

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.key ? { ...extra, 'x-api-key': this.key } : extra;
  }

  async json<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<T> {
    const init: RequestInit = { method, headers: this.headers(body === undefined ? extraHeaders : { ...extraHeaders, 'content-type': 'application/json' }) };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await fetch(path, init);
    if (!response.ok) throw await apiError(response);
    return (await response.json()) as T;
  }

  /** A multipart POST (a form with a file): the browser sets the content type and its boundary. */
  async form<T>(path: string, form: FormData, extraHeaders: Record<string, string> = {}): Promise<T> {
    const response = await fetch(path, { method: 'POST', headers: this.headers(extraHeaders), body: form });
    if (!response.ok) throw await apiError(response);
    return (await response.json()) as T;
  }

  /** A streamed GET (server-sent events); fetch rather than EventSource, which cannot send the key header. */
  async stream(path: string, signal: AbortSignal): Promise<Response> {
    const response = await fetch(path, { headers: this.headers({ accept: 'text/event-stream' }), signal });
    if (!response.ok) throw await apiError(response);
    return response;
  }

  /** An image the API guards, as an object URL for an <img>. */
  async imageUrl(path: string): Promise<string> {
    const response = await fetch(path, { headers: this.headers() });
    if (!response.ok) throw await apiError(response);
    return URL.createObjectURL(await response.blob());
  }
}

async function apiError(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { code?: unknown; message?: unknown; details?: { field?: unknown } };
    const field = typeof body.details?.field === 'string' ? body.details.field : undefined;
    return new ApiError(response.status, String(body.code ?? 'ERROR'), String(body.message ?? response.statusText), field);
  } catch {
    return new ApiError(response.status, 'ERROR', `${response.status} ${response.statusText}`, undefined);
  }
}

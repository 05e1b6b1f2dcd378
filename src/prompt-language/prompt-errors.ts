/**
 * The prompt domain's errors. Each carries a code so a transport can map it to a status without
 * reading messages: a request value that breaks a rule (400) and a template that cannot be used
 * (a configuration error: the checkpoint registry holds the templates).
 */

/** A request value that breaks a rule: `field` is the request's own name for it (`colours`, `text`...). */
export class PromptInputError extends Error {
  readonly code = 'INVALID_INPUT';
  constructor(
    readonly field: string,
    readonly rule: string,
    /** The values the field accepts, when the rule is "one of these". */
    readonly allowed?: readonly string[],
  ) {
    super(`${field}: ${rule}`);
    this.name = 'PromptInputError';
  }
}

/** A prompt template that cannot be compiled; `placeholder` names the offending one when there is one. */
export class PromptTemplateError extends Error {
  readonly code = 'INVALID_TEMPLATE';
  constructor(
    readonly problem: string,
    readonly placeholder?: string,
  ) {
    super(`prompt template: ${problem}`);
    this.name = 'PromptTemplateError';
  }
}

/** A short, printable description of a value for an error message. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === 'object' ? 'an object' : typeof value;
}

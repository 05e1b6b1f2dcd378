/** A diffusers `scheduler_config.json` object as parsed from JSON, with diffusers' key names. */
export type RawSchedulerConfig = Readonly<Record<string, unknown>>;

/** A scheduler config value that is missing the rule it must follow; `key` is the diffusers key. */
export class SchedulerConfigError extends Error {
  constructor(
    readonly key: string,
    rule: string,
    value?: unknown,
  ) {
    super(`scheduler config "${key}": ${rule}${value === undefined ? '' : `, got ${describe(value)}`}`);
    this.name = 'SchedulerConfigError';
  }
}

function describe(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

export interface NumberRange {
  readonly min?: number;
  readonly max?: number;
  /** Excludes `min` itself (e.g. beta_end must be > 0). */
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
}

function rangeText(range: NumberRange): string {
  const lo = range.min === undefined ? '(-inf' : `${range.minExclusive ? '(' : '['}${range.min}`;
  const hi = range.max === undefined ? 'inf)' : `${range.max}${range.maxExclusive ? ')' : ']'}`;
  return `${lo}, ${hi}`;
}

function inRange(v: number, range: NumberRange): boolean {
  if (range.min !== undefined && (range.minExclusive ? v <= range.min : v < range.min)) return false;
  if (range.max !== undefined && (range.maxExclusive ? v >= range.max : v > range.max)) return false;
  return true;
}

/**
 * Reads the keys one scheduler class accepts, the way diffusers' `from_config` fills `__init__`:
 * a key present in the config wins, a missing key takes the class default, and keys the class
 * does not take are never looked at (so they are ignored, as diffusers ignores them).
 */
export class ConfigReader {
  private readonly defaulted: ReadonlySet<string>;

  constructor(private readonly raw: RawSchedulerConfig) {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new SchedulerConfigError('(root)', 'must be a JSON object', raw);
    }
    const className = raw['_class_name'];
    if (className !== undefined && typeof className !== 'string') {
      throw new SchedulerConfigError('_class_name', 'must be a string', className);
    }
    // diffusers records keys it filled with its own defaults on load and skips them in
    // from_config, so a different class gets its own default for them.
    const used = raw['_use_default_values'];
    if (used !== undefined && !(Array.isArray(used) && used.every((k) => typeof k === 'string'))) {
      throw new SchedulerConfigError('_use_default_values', 'must be an array of key names', used);
    }
    this.defaulted = new Set<string>(used ?? []);
  }

  /** The value for `key`, or undefined when the class default applies. */
  private value(key: string): unknown {
    if (this.defaulted.has(key) || !Object.prototype.hasOwnProperty.call(this.raw, key)) return undefined;
    return this.raw[key];
  }

  number(key: string, fallback: number, range: NumberRange = {}): number {
    const v = this.value(key);
    if (v === undefined) return fallback;
    const rule = `must be a number in ${rangeText(range)}`;
    if (typeof v !== 'number' || Number.isNaN(v) || !inRange(v, range)) throw new SchedulerConfigError(key, rule, v);
    return v;
  }

  /** A number that diffusers lets be `None` (null here), meaning "not set". */
  optionalNumber(key: string, range: NumberRange = {}): number | null {
    const v = this.value(key);
    if (v === undefined || v === null) return null;
    return this.number(key, 0, range);
  }

  int(key: string, fallback: number, range: NumberRange = {}): number {
    const v = this.number(key, fallback, range);
    if (!Number.isInteger(v)) throw new SchedulerConfigError(key, `must be an integer in ${rangeText(range)}`, v);
    return v;
  }

  /** diffusers tests these with Python truthiness, so null behaves as false. */
  bool(key: string, fallback: boolean): boolean {
    const v = this.value(key);
    if (v === undefined) return fallback;
    if (v === null) return false;
    if (typeof v !== 'boolean') throw new SchedulerConfigError(key, 'must be true or false', v);
    return v;
  }

  oneOf<T extends string>(key: string, fallback: T, allowed: readonly T[]): T {
    const v = this.value(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      throw new SchedulerConfigError(key, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`, v);
    }
    return v as T;
  }

  /** A list of numbers or null (diffusers' `trained_betas`). */
  optionalNumberArray(key: string, range: NumberRange = {}): number[] | null {
    const v = this.value(key);
    if (v === undefined || v === null) return null;
    const rule = `must be null or an array of numbers in ${rangeText(range)}`;
    if (!Array.isArray(v)) throw new SchedulerConfigError(key, rule, v);
    for (const x of v) {
      if (typeof x !== 'number' || Number.isNaN(x) || !inRange(x, range)) throw new SchedulerConfigError(key, rule, x);
    }
    return v as number[];
  }

  /** A diffusers option this server does not implement: allowed only at its inactive value. */
  unsupported(key: string, isInactive: (v: unknown) => boolean, why: string): void {
    const v = this.value(key);
    if (v !== undefined && !isInactive(v)) throw new SchedulerConfigError(key, `is not supported (${why})`, v);
  }
}

/** For `unsupported`: the option is off when false or null. */
export const isFalsy = (v: unknown): boolean => v === false || v === null;

/**
 * AUTOMATIC1111's sampler naming onto the sampler catalog: `sampler_name` (or the older
 * `sampler_index`) is a display name ("DPM++ 2M Karras", "Euler a") or an id, matched exactly and
 * then without regard to case, as the web UI's own lookup does; `scheduler` (web UI ≥ 1.9) picks
 * the schedule: `Automatic` or `Karras`.
 */
import { SAMPLERS, SCHEDULER_INPUT_NAMES, describeSampler, resolveSchedulerName, samplerLabel, type SchedulerName } from '../engine/schedulers';
import { a1111Invalid } from './a1111-errors';
import { SCHEDULE_TYPES } from './a1111-fields';

/** The web UI's API default when neither sampler_name nor sampler_index is sent. */
export const DEFAULT_SAMPLER = 'Euler';

/** Samplers the web UI ≥ 1.9 runs on Karras sigmas under `Automatic` (their default schedule there). */
const AUTOMATIC_KARRAS: ReadonlySet<SchedulerName> = new Set(['dpm++2m', 'dpm2']);

export function resolveA1111Sampler(name: unknown, field: 'sampler_name' | 'sampler_index', schedule: unknown): SchedulerName {
  if (typeof name !== 'string') throw a1111Invalid([field], 'must be a sampler name string (GET /sdapi/v1/samplers lists them)', name);
  const id = resolveSchedulerName(name) ?? resolveSchedulerName(SCHEDULER_INPUT_NAMES.find((n) => n.toLowerCase() === name.toLowerCase()));
  if (id === undefined) throw a1111Invalid([field], `is not a sampler this server has (GET /sdapi/v1/samplers lists them, e.g. "Euler a", "DPM++ 2M Karras")`, name);
  return withSchedule(id, schedule);
}

function withSchedule(id: SchedulerName, schedule: unknown): SchedulerName {
  if (schedule === undefined || schedule === null) return id;
  const type = typeof schedule === 'string' ? SCHEDULE_TYPES.find((t) => t.name === schedule.toLowerCase() || t.label === schedule) : undefined;
  if (type === undefined) throw a1111Invalid(['scheduler'], `must be one of ${SCHEDULE_TYPES.map((t) => t.label).join(', ')}`, schedule);
  if (type.name === 'automatic') return AUTOMATIC_KARRAS.has(id) ? karrasOf(id) ?? id : id;
  if (describeSampler(id).karras) return id;
  const karras = karrasOf(id);
  if (karras === undefined) {
    const offered = SAMPLERS.filter((s) => !s.karras && karrasOf(s.id) !== undefined).map((s) => samplerLabel(s.id));
    throw a1111Invalid(['scheduler'], `Karras is not available for ${samplerLabel(id)}; it is for ${offered.join(', ')}`, schedule);
  }
  return karras;
}

/** The Karras variant of a sampler: the catalog entry named "<its label> Karras". */
function karrasOf(id: SchedulerName): SchedulerName | undefined {
  return resolveSchedulerName(`${samplerLabel(id)} Karras`);
}

/** scheduler/scheduler_config.json: present, an object, naming a diffusers scheduler class. */
import { SCHEDULER_CLASS_NAMES } from '../../engine/schedulers/scheduler';
import type { ModelIndexSummary, SchedulerSummary } from './inspection-report';
import { isJsonObject, readJsonFile } from './json-file';
import type { ProblemList, Rule } from './problem-list';

export const SCHEDULER_FILE = 'scheduler/scheduler_config.json';
const PRESENT: Rule = { code: 'missing-file', text: 'a model directory has scheduler/scheduler_config.json' };
const FORMAT: Rule = { code: 'scheduler-format', text: 'scheduler_config.json is an object naming its class in _class_name' };
const KNOWN: Rule = { code: 'scheduler-class', text: 'the scheduler class is one the server implements' };
const AGREES: Rule = { code: 'scheduler-class', text: "model_index.json's scheduler entry names the class scheduler_config.json has" };

export function readScheduler(root: string, index: ModelIndexSummary | null, problems: ProblemList): SchedulerSummary | null {
  const json = readJsonFile(root, SCHEDULER_FILE, PRESENT, problems);
  if (json === undefined) return null;
  if (!isJsonObject(json)) {
    problems.error(SCHEDULER_FILE, FORMAT, 'is not a JSON object');
    return null;
  }
  const className = json['_class_name'];
  if (typeof className !== 'string') {
    problems.warning(SCHEDULER_FILE, FORMAT, '_class_name is missing or not a string');
    return { className: null };
  }
  const known: readonly string[] = [...new Set(Object.values(SCHEDULER_CLASS_NAMES))];
  if (!known.includes(className)) {
    problems.warning(SCHEDULER_FILE, KNOWN, `${className} is not one of ${known.join(', ')}; its settings are still read by the sampler a request picks`);
  }
  const listed = index?.entries.find((e) => e.name === 'scheduler')?.className;
  if (listed && listed !== className) {
    problems.warning('model_index.json', AGREES, `lists scheduler ${listed} but scheduler_config.json has ${className}`);
  }
  return { className };
}

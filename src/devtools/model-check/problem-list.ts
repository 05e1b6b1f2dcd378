/** Collects problems as the checks find them; every check adds to one list, none stops at the first. */
import type { Problem, Severity } from './inspection-report';

/** A rule: a stable code for programs and a sentence for people. */
export interface Rule {
  readonly code: string;
  readonly text: string;
}

export class ProblemList {
  private readonly items: Problem[] = [];

  error(file: string, rule: Rule, message: string): void {
    this.add('error', file, rule, message);
  }

  warning(file: string, rule: Rule, message: string): void {
    this.add('warning', file, rule, message);
  }

  add(severity: Severity, file: string, rule: Rule, message: string): void {
    this.items.push({ severity, file, code: rule.code, rule: rule.text, message });
  }

  toArray(): Problem[] {
    return [...this.items];
  }
}

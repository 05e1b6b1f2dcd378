/**
 * The alert rules in deploy/: one source (the plain rules file) and the PrometheusRule written from
 * it, every alert with a runbook section, every metric it reads registered by the application, and
 * promtool's own checks and unit tests (deploy/prometheus/afd-alerts.test.yml) when promtool is here.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { PROMETHEUS_RULE_FILE, prometheusRuleFrom, RULES_FILE } from '../src/devtools/deploy-rules/prometheus-rule';
import { metricsServiceForTests } from '../src/observability/metrics/testing/metrics-service.fixture';
import { promtool, promtoolAvailable, PROMTOOL_MISSING } from '../src/observability/metrics/testing/promtool';

const ROOT = resolve(__dirname, '..');
const text = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

interface Rule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}
interface Groups {
  readonly groups: ReadonlyArray<{ readonly name: string; readonly rules: readonly Rule[] }>;
}

const source = parse(text(RULES_FILE)) as Groups;
const rules = source.groups.flatMap((g) => g.rules);

describe('alert rules (deploy/prometheus/afd-alerts.rules.yml)', () => {
  it('cover what the operations issue lists', () => {
    expect(rules.map((r) => r.alert)).toEqual([
      'AfdNotReady',
      'AfdQueueDepthHigh',
      'AfdQueueWaitOverBudget',
      'AfdRejectionRateHigh',
      'AfdServerErrorRateHigh',
      'AfdUnetStepRegression',
      'AfdGpuMemoryNearLimit',
      'AfdWorkerRestarts',
      'AfdWebhookFailures',
    ]);
  });

  it('is the PrometheusRule in deploy/k8s/base, as `npm run deploy:rules` writes it', () => {
    const resource = parse(text(PROMETHEUS_RULE_FILE)) as { kind: string; apiVersion: string; spec: Groups };
    expect(resource).toMatchObject({ kind: 'PrometheusRule', apiVersion: 'monitoring.coreos.com/v1' });
    expect(resource.spec).toEqual(source);
    expect(text(PROMETHEUS_RULE_FILE)).toBe(prometheusRuleFrom(text(RULES_FILE)));
    expect(parse(text('deploy/k8s/base/kustomization.yaml')).resources).toContain('prometheus-rule.yaml');
  });

  it('gives every alert a severity, a summary, a description and a runbook section that exists', () => {
    const anchors = new Set([...text('docs/runbook.md').matchAll(/^## (\S+)$/gm)].map((m) => `docs/runbook.md#${(m[1] as string).toLowerCase()}`));
    for (const rule of rules) {
      expect([rule.alert, ['warning', 'critical'].includes(rule.labels['severity'] ?? '')]).toEqual([rule.alert, true]);
      expect([rule.alert, rule.annotations['summary'], rule.annotations['description']]).toEqual([rule.alert, expect.any(String), expect.any(String)]);
      expect([rule.alert, anchors.has(rule.annotations['runbook_url'] ?? '')]).toEqual([rule.alert, true]);
    }
  });

  it('reads only metrics the application registers', () => {
    const { metrics } = metricsServiceForTests();
    try {
      const registered = new Set(metrics.registry.getMetricsAsArray().map((m) => m.name));
      const used = new Set(rules.flatMap((r) => [...r.expr.matchAll(/\bafd_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''))));
      expect(used.size).toBeGreaterThan(8);
      expect([...used].filter((name) => !registered.has(name))).toEqual([]);
    } finally {
      metrics.onApplicationShutdown();
    }
  });

  const withPromtool = promtoolAvailable ? it : it.skip;
  if (!promtoolAvailable) console.warn(PROMTOOL_MISSING);

  withPromtool('passes `promtool check rules` (the PrometheusRule holds the same groups)', () => {
    expect(promtool(['check', 'rules', join(ROOT, RULES_FILE)])).toMatchObject({ status: 0 });
  });

  withPromtool('passes its unit tests (`promtool test rules deploy/prometheus/afd-alerts.test.yml`)', () => {
    const result = promtool(['test', 'rules', join(ROOT, 'deploy/prometheus/afd-alerts.test.yml')]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});

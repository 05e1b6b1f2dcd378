import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { metricsServiceForTests } from './testing/metrics-service.fixture';
import { ATTR, SPAN } from '../tracing/tracer';

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Array<{ expr?: string; query?: string; queryType?: string; datasource?: { type: string; uid: string } }>;
  panels?: Panel[];
}

const dashboard = JSON.parse(readFileSync(join(__dirname, '../../../deploy/grafana/afd-dashboard.json'), 'utf8')) as {
  title: string;
  uid: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query: string | { query: string } }> };
};
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const TEMPO = { type: 'tempo', uid: '${traces}' };
const tracePanels = panels.filter((p) => p.datasource?.type === 'tempo');

describe('deploy/grafana/afd-dashboard.json', () => {
  it('is a Grafana dashboard model on a templated Prometheus data source', () => {
    expect(dashboard).toMatchObject({ title: expect.any(String), uid: expect.any(String), schemaVersion: expect.any(Number) });
    expect(dashboard.templating.list.find((v) => v.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const panel of panels.filter((p) => p.type !== 'row' && !tracePanels.includes(p))) {
      expect([panel.title, panel.datasource]).toEqual([panel.title, { type: 'prometheus', uid: '${datasource}' }]);
      expect(panel.targets?.length).toBeGreaterThan(0);
    }
  });

  it('uses only metric names the application registers', async () => {
    const { metrics } = metricsServiceForTests();
    try {
      const registered = new Set(metrics.registry.getMetricsAsArray().map((m) => m.name));
      const queries = [
        ...panels.flatMap((p) => (p.targets ?? []).flatMap((t) => (t.expr === undefined ? [] : [t.expr]))),
        ...dashboard.templating.list.map((v) => (typeof v.query === 'string' ? v.query : v.query.query)),
      ];
      const used = new Set(queries.flatMap((q) => [...q.matchAll(/\b(?:afd|process|nodejs)_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''))));
      expect(used.size).toBeGreaterThan(25);
      expect([...used].filter((name) => !registered.has(name))).toEqual([]);
      expect(used).toContain('process_resident_memory_bytes');
      // Every panel title the operations issue asks for is there.
      const titles = panels.map((p) => p.title.toLowerCase()).join('\n');
      for (const topic of ['traces', 'request rate', 'p95', 'generation phase', 'unet step', 'batch size', 'queue depth', 'active sequences', 'images per second', 'failures', 'model memory', 'evictions', 'gpu memory', 'gpu utilisation', 'process memory', 'process cpu', 'event-loop lag']) {
        expect([topic, titles.includes(topic)]).toEqual([topic, true]);
      }
    } finally {
      metrics.onApplicationShutdown();
    }
  });

  it('has a Traces row on a Tempo data source variable, querying only span names and attributes the app writes', () => {
    expect(dashboard.templating.list.find((v) => v.name === 'traces')).toMatchObject({ type: 'datasource', query: 'tempo' });
    expect(panels.find((p) => p.type === 'row' && p.panels?.some((child) => tracePanels.includes(child)))?.title).toBe('Traces');
    expect(tracePanels.length).toBeGreaterThanOrEqual(3);
    const spanNames = new Set<string>(Object.values(SPAN));
    const attributes = new Set<string>(Object.values(ATTR));
    for (const panel of tracePanels) {
      expect([panel.title, panel.datasource]).toEqual([panel.title, TEMPO]);
      for (const target of panel.targets ?? []) {
        expect([panel.title, target.queryType, target.datasource]).toEqual([panel.title, 'traceql', TEMPO]);
        const query = target.query ?? '';
        const names = [...query.matchAll(/\bname = "([^"]+)"/g)].map((m) => m[1]);
        expect(names.length).toBeGreaterThan(0);
        expect(names.filter((n) => !spanNames.has(n as string))).toEqual([]);
        const used = [...query.matchAll(/\bspan\.([a-z][\w.]*)/g)].map((m) => m[1]);
        expect(used.filter((a) => !attributes.has(a as string))).toEqual([]);
      }
    }
  });
});

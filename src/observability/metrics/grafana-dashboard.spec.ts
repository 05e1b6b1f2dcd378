import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { metricsServiceForTests } from './testing/metrics-service.fixture';

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Array<{ expr: string; datasource?: { uid: string } }>;
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

describe('deploy/grafana/afd-dashboard.json', () => {
  it('is a Grafana dashboard model on a templated Prometheus data source', () => {
    expect(dashboard).toMatchObject({ title: expect.any(String), uid: expect.any(String), schemaVersion: expect.any(Number) });
    expect(dashboard.templating.list.find((v) => v.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const panel of panels.filter((p) => p.type !== 'row')) {
      expect([panel.title, panel.datasource]).toEqual([panel.title, { type: 'prometheus', uid: '${datasource}' }]);
      expect(panel.targets?.length).toBeGreaterThan(0);
    }
  });

  it('uses only metric names the application registers', async () => {
    const { metrics } = metricsServiceForTests();
    try {
      const registered = new Set(metrics.registry.getMetricsAsArray().map((m) => m.name));
      const queries = [
        ...panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
        ...dashboard.templating.list.map((v) => (typeof v.query === 'string' ? v.query : v.query.query)),
      ];
      const used = new Set(queries.flatMap((q) => [...q.matchAll(/\b(?:afd|process|nodejs)_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''))));
      expect(used.size).toBeGreaterThan(25);
      expect([...used].filter((name) => !registered.has(name))).toEqual([]);
      // Every panel title the operations issue asks for is there.
      const titles = panels.map((p) => p.title.toLowerCase()).join('\n');
      for (const topic of ['request rate', 'p95', 'generation phase', 'unet step', 'batch size', 'queue depth', 'active sequences', 'images per second', 'failures', 'model memory', 'evictions', 'gpu memory', 'gpu utilisation', 'process memory', 'process cpu', 'event-loop lag']) {
        expect([topic, titles.includes(topic)]).toEqual([topic, true]);
      }
    } finally {
      metrics.onApplicationShutdown();
    }
  });
});

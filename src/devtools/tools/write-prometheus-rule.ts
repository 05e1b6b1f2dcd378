import { writePrometheusRule } from '../deploy-rules/prometheus-rule';

console.log(`wrote ${writePrometheusRule(process.cwd())}`);

/** Model-directory inspection without a runtime: see inspect-model-directory.ts. */
export { inspectModelDirectory } from './inspect-model-directory';
export { formatBytes, formatProblem, formatReport, formatShape } from './format-report';
export { CHECK_MODELS_USAGE, runCheckModels } from './run-check-models';
export { COMPONENT_SPECS, timestepKind } from './component-rules';
export * from './inspection-report';

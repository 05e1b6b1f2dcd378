/* global module */
/**
 * The layers of docs/DESIGN.md as dependency rules, checked by test/layering.e2e-spec.ts
 * (`npx depcruise src` prints the same report). Imports point down:
 *
 *   composition   main.ts · create-app.ts · app.module.ts · app/ (GraphQL and gRPC servers, shutdown)
 *   page          studio/ (serves the studio's files; imports only the access decorators)
 *   features      generation · comparisons · checkpoints · samplers · prompts · distributed · openai-compat · a1111-compat · webhooks (below the ones that report to it)
 *   shared        transports/{rest,graphql,grpc} · observability/ · error-mapping/ · inference/
 *   libraries     model-generator/ (the demo release) · prompt-language/ · pool/{main,worker,protocol}
 *   bottom        engine/ · common/ · config/ → auth/
 *
 * devtools/ (benchmarks, model-check, CLIs) stands beside the server: it may import anything and
 * nothing imports it. Specs and test fixtures are left out: a test may reach for any helper.
 */
const FEATURES = '^src/(generation|comparisons|checkpoints|samplers|prompts|distributed|openai-compat|a1111-compat|webhooks)/';
const COMPOSITION = '^src/(app/|app\\.module\\.ts$|create-app\\.ts$|main\\.ts$)';
const TRANSPORTS = '^src/transports/';

/** A rule that forbids `from` to import anything under src/ outside `allowed`. */
function onlyImports(name, comment, from, allowed) {
  return { name, comment, severity: 'error', from: { path: from }, to: { path: '^src/', pathNot: `^src/(${allowed.join('|')})` } };
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No module loads itself through others (a loop of type-only imports loads nothing and is allowed; across folders no-folder-cycle forbids it).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    { name: 'no-folder-cycle', comment: 'No folder imports itself through other folders.', severity: 'error', scope: 'folder', from: { path: '^src/' }, to: { circular: true } },

    onlyImports('common-is-the-bottom', 'common/ (the error enum, bounded text, ids) imports nothing of ours.', '^src/common/', ['common/']),
    onlyImports('engine-is-a-library', 'The engine imports nothing of ours but common/.', '^src/engine/', ['engine/', 'common/']),
    {
      name: 'engine-has-no-nest',
      comment: 'The engine runs from a plain script or a worker thread: no NestJS.',
      severity: 'error',
      from: { path: '^src/(engine|pool)/' },
      to: { path: '^@nestjs/|node_modules/@nestjs/' },
    },
    onlyImports('config-at-the-bottom', 'Configuration is parsed and validated below every feature; it reads engine types and the API key settings (auth/, which imports common/ only).', '^src/config/', ['config/', 'common/', 'engine/', 'auth/']),
    onlyImports('pool-imports-engine-only', 'The pool runs the engine; it knows no feature, transport or NestJS.', '^src/pool/', ['pool/', 'engine/', 'common/']),
    onlyImports('pool-protocol-is-shared', 'The messages between the pool and its workers import neither side.', '^src/pool/protocol/', ['pool/protocol/', 'engine/', 'common/']),
    onlyImports('pool-worker-not-main', 'A device worker imports the protocol, never the main-thread pool.', '^src/pool/worker/', ['pool/worker/', 'pool/protocol/', 'engine/', 'common/']),
    onlyImports('pool-main-not-worker', 'The main thread starts workers by path; it never imports their runtime (ORT stays off the main thread).', '^src/pool/main/', ['pool/main/', 'pool/protocol/', 'engine/', 'common/']),
    onlyImports('prompt-language-is-pure', 'The fashion vocabulary and parser: no feature, no transport.', '^src/prompt-language/', ['prompt-language/', 'engine/', 'common/']),
    onlyImports('demo-release-below-checkpoints', 'The model generator (and the demo release the server writes at start) sits below checkpoints.', '^src/model-generator/', ['model-generator/', 'prompt-language/', 'engine/', 'common/']),
    onlyImports('error-mapping-below-features', 'toApiError maps the errors of the layers below it.', '^src/error-mapping/', ['error-mapping/', 'pool/', 'prompt-language/', 'engine/', 'common/']),
    onlyImports('inference-wraps-the-pool', 'The Nest wrapper of the pool imports the pool only.', '^src/inference/', ['inference/', 'pool/', 'engine/', 'common/']),
    onlyImports('studio-serves-files', 'The studio page is files served as they are: its controller knows the access decorators and nothing else of ours.', '^src/studio/', ['studio/', 'auth/', 'common/']),
    onlyImports(
      'webhooks-know-no-feature',
      'Generations and comparisons report to webhooks (their views as plain data); webhooks import neither, only the layers below and metrics.',
      '^src/webhooks/',
      ['webhooks/', 'auth/', 'common/', 'config/', 'observability/metrics/'],
    ),
    onlyImports('auth-is-shared', 'The access gate serves every transport and imports no feature.', '^src/auth/', ['auth/', 'common/']),
    {
      name: 'observability-imports-no-transport',
      comment:
        'Metrics, health, logging and shutdown are fed through interfaces: transports and features call in, never the other way. ' +
        'Readiness reads the checkpoint registry (the default checkpoint it warms up) and nothing else of a feature.',
      severity: 'error',
      from: { path: '^src/observability/' },
      to: { path: `${TRANSPORTS}|${COMPOSITION}|^src/(generation|comparisons|prompts|distributed|webhooks)/|^src/checkpoints/(?!checkpoints\\.service\\.ts$|checkpoint-registry\\.ts$)` },
    },
    {
      name: 'transports-import-no-feature',
      comment: "A transport's shared code (error mapping, limits, decoding) knows no feature: features import it.",
      severity: 'error',
      from: { path: TRANSPORTS },
      to: { path: `${FEATURES}|${COMPOSITION}` },
    },
    {
      name: 'features-import-no-composition',
      comment: 'Features import the layers below and the transports\' shared helpers, never the app that wires them.',
      severity: 'error',
      from: { path: FEATURES },
      to: { path: COMPOSITION },
    },
    {
      name: 'nothing-imports-devtools',
      comment: 'Benchmarks, model-check and the CLIs stand beside the server: only devtools/ imports devtools/.',
      severity: 'error',
      from: { pathNot: '^src/devtools/' },
      to: { path: '^src/devtools/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$|\\.fixture\\.ts$|/testing/' },
    // Type-only imports count: a folder that needs another's types depends on it.
    tsPreCompilationDeps: true,
  },
};

/**
 * Routes named by more than one layer: the GraphQL endpoint is served by the GraphQL module (app/)
 * and skipped by the REST request metrics (observability/), which must not import the app.
 */
export const GRAPHQL_PATH = '/graphql';

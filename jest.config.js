/** Unit specs live beside the code (src/**\/*.spec.ts); end-to-end specs under test/ (*.e2e-spec.ts). */
module.exports = {
  testEnvironment: '<rootDir>/test/support/native-typed-arrays-environment.js',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Type checking runs once in `npm run typecheck`; the transform only strips types.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 120000,
  // Generated model directories are shared between spec files through a lock (see test/support).
  maxWorkers: 2,
};

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as prompts from './index';

describe('prompts module', () => {
  // The API wrapper (prompts.controller.ts, prompts.service.ts, and the request/answer schemas and routes of the
  // OpenAPI document, prompt.schemas.ts and prompt.openapi.ts) lives beside the domain; only it may use packages.
  const NEST_ADAPTER = /^prompts\.(controller|service)\.ts$|^prompt\.(schemas|openapi)\.ts$/;

  it('imports no package: no framework, no runtime, nothing but its own files', () => {
    const files = [...readdirSync(__dirname), ...readdirSync(join(__dirname, 'terms')).map((file) => join('terms', file))].filter(
      (file) => file.endsWith('.ts') && !file.endsWith('.spec.ts') && !NEST_ADAPTER.test(file),
    );
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const source = readFileSync(join(__dirname, file), 'utf8');
      const specifiers = [...source.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((match) => match[1]);
      for (const specifier of specifiers) expect([file, specifier.startsWith('.')]).toEqual([file, true]);
    }
  });

  it('keeps the Nest wrapper out of the domain: no domain file imports it', () => {
    const files = readdirSync(__dirname).filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts') && !NEST_ADAPTER.test(file));
    for (const file of files) expect([file, readFileSync(join(__dirname, file), 'utf8')]).not.toEqual([file, expect.stringMatching(/from '\.\/prompts\.(controller|service)'/)]);
  });

  it('exports the public API', () => {
    for (const name of ['FASHION_VOCABULARY', 'buildPrompt', 'parsePrompt', 'compilePromptTemplate', 'normalisePromptAttributes', 'resolveTerm', 'PromptInputError', 'PromptTemplateError']) {
      expect(prompts).toHaveProperty(name);
    }
  });
});

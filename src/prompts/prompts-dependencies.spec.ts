import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as prompts from './index';

describe('prompts module', () => {
  it('imports no package: no framework, no runtime, nothing but its own files', () => {
    const files = [...readdirSync(__dirname), ...readdirSync(join(__dirname, 'terms')).map((file) => join('terms', file))].filter(
      (file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'),
    );
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const source = readFileSync(join(__dirname, file), 'utf8');
      const specifiers = [...source.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((match) => match[1]);
      for (const specifier of specifiers) expect([file, specifier.startsWith('.')]).toEqual([file, true]);
    }
  });

  it('exports the public API', () => {
    for (const name of ['FASHION_VOCABULARY', 'buildPrompt', 'parsePrompt', 'compilePromptTemplate', 'normalisePromptAttributes', 'resolveTerm', 'PromptInputError', 'PromptTemplateError']) {
      expect(prompts).toHaveProperty(name);
    }
  });
});

import { join } from 'node:path';
import { findStudioRoot, studioFile } from './studio-files';

describe('studio files', () => {
  const root = findStudioRoot();

  it('finds the repository root from this folder', () => {
    expect(root).toBe(join(__dirname, '..', '..'));
  });

  it('serves the page, its stylesheet and built scripts with their types', () => {
    expect(studioFile(root, 'index.html')).toEqual({ path: join(root, 'studio', 'public', 'index.html'), contentType: 'text/html; charset=utf-8' });
    expect(studioFile(root, 'studio.css')?.contentType).toBe('text/css; charset=utf-8');
  });

  it.each(['../package.json', '..', 'tsconfig.json', 'studio.ts', 'Index.html', '.env', 'a/b.js', 'no-such-script.js', 'constructor', '__proto__'])(
    'refuses %s (not one of the page files)',
    (name) => {
      expect(studioFile(root, name)).toBeUndefined();
    },
  );
});

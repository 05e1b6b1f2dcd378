/**
 * Where the studio page's files are: its HTML and CSS in studio/public, its scripts compiled by
 * `npm run build` (studio/tsconfig.json) into dist/studio-page (dist/studio holds this
 * server code). Found from the repository root, so the
 * same code serves them from src/ (tests) and from dist/ (production).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface StudioFile {
  readonly path: string;
  readonly contentType: string;
}

/** Only these names are served: a fixed list, so no request path ever reaches the file system. */
const STATIC_FILES: Readonly<Record<string, string>> = { 'index.html': 'text/html; charset=utf-8', 'studio.css': 'text/css; charset=utf-8' };
const SCRIPT_NAME = /^[a-z][a-z-]*\.js$/;

/** The folder holding studio/public (the repository root, or the image's app folder). */
export function findStudioRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'studio', 'public', 'index.html'))) return dir;
    if (dirname(dir) === dir) throw new Error(`studio/public/index.html not found above ${from}`);
  }
}

/** The file a studio asset name stands for, or undefined when it is none of the page's (or was not built). */
export function studioFile(root: string, name: string): StudioFile | undefined {
  const staticType = Object.hasOwn(STATIC_FILES, name) ? STATIC_FILES[name] : undefined;
  if (staticType) return { path: join(root, 'studio', 'public', name), contentType: staticType };
  if (!SCRIPT_NAME.test(name)) return undefined;
  const path = join(root, 'dist', 'studio-page', name);
  return existsSync(path) ? { path, contentType: 'text/javascript; charset=utf-8' } : undefined;
}

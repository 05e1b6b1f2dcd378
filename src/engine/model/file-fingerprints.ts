/**
 * What each file of a checkpoint held when it was registered, so a load can tell whether it still
 * holds it. A weights file overwritten while the server runs (a bad copy, a half-finished sync)
 * must fail its load with the file's name, not be served.
 *
 * Registration reads every byte once (the component's content address needs it anyway) and keeps,
 * per file, its size, its modification time and its sha256. Verification at load trusts a file
 * whose size and modification time are unchanged (a `stat`, so loading a multi-GB UNet costs no
 * second read) and re-hashes any other one, so a file only touched still loads and one whose bytes
 * differ fails. The trade-off: a change that keeps both the size and the modification time (which
 * takes a deliberate `touch -d`) is not seen until the next registration (restart).
 *
 * Registration remembers a component's fingerprints in its folder (`.afd-optimized/fingerprints.json`,
 * when the folder is writable) and, at the next start, trusts them by the same rule: when every file
 * has the size and modification time it had, nothing is read again. Hashing a Stable Diffusion
 * checkpoint's 4 GB took most of a start before that (README, "Real-size models").
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { ModelDirectoryError } from '../errors';
import { COMPONENT_CACHE_FOLDER } from './component-cache-folder';

export interface FileFingerprint {
  /** Relative to the checkpoint directory, `/`-separated: `unet/weights.pb`. */
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha256: string;
}

export interface ComponentFingerprint {
  /** The folder's content address, exactly as `hashComponent` computes it. */
  readonly hash: string;
  readonly files: FileFingerprint[];
}

/**
 * The content hash of `checkpointDir/folder` and the fingerprint of each of its files, in one read,
 * or as remembered from an earlier registration when no file's size or modification time changed.
 */
export async function fingerprintComponent(checkpointDir: string, folder: string): Promise<ComponentFingerprint> {
  const dir = join(checkpointDir, folder);
  const names = readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isFile())
    .sort();
  const stats = names.map((name) => statSync(join(dir, name)));
  const remembered = readRemembered(dir, folder, names, stats);
  if (remembered) return remembered;
  const folderHash = createHash('sha256');
  const files: FileFingerprint[] = [];
  for (const [i, name] of names.entries()) {
    const stat = stats[i] as Stats;
    folderHash.update(`${name}\0${stat.size}\0`);
    files.push(await readFingerprint(checkpointDir, `${folder}/${name}`, stat, folderHash));
  }
  const fingerprint = { hash: folderHash.digest('hex'), files };
  remember(dir, fingerprint);
  return fingerprint;
}

const REMEMBERED = 'fingerprints.json';
const REMEMBERED_FORMAT = 1;

function readRemembered(dir: string, folder: string, names: readonly string[], stats: readonly Stats[]): ComponentFingerprint | undefined {
  try {
    const saved = JSON.parse(readFileSync(join(dir, COMPONENT_CACHE_FOLDER, REMEMBERED), 'utf8')) as { format?: number } & Partial<ComponentFingerprint>;
    if (saved.format !== REMEMBERED_FORMAT || typeof saved.hash !== 'string' || !Array.isArray(saved.files) || saved.files.length !== names.length) return undefined;
    const current = saved.files.every((file, i) => file.path === `${folder}/${names[i]}` && file.size === stats[i]?.size && file.mtimeMs === stats[i]?.mtimeMs && typeof file.sha256 === 'string');
    return current ? { hash: saved.hash, files: saved.files } : undefined;
  } catch {
    return undefined;
  }
}

/** Written beside the component when its folder is writable (a temporary file renamed into place); otherwise the next start reads the files again. */
function remember(dir: string, fingerprint: ComponentFingerprint): void {
  const folder = join(dir, COMPONENT_CACHE_FOLDER);
  const temp = join(folder, `${REMEMBERED}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    mkdirSync(folder, { recursive: true });
    writeFileSync(temp, `${JSON.stringify({ format: REMEMBERED_FORMAT, ...fingerprint })}\n`);
    renameSync(temp, join(folder, REMEMBERED));
  } catch {
    try {
      rmSync(temp, { force: true });
    } catch {
      // nothing was written
    }
  }
}

/** The fingerprint of one file (`scheduler/scheduler_config.json`, `model_index.json`). */
export function fingerprintFile(checkpointDir: string, path: string): Promise<FileFingerprint> {
  return readFingerprint(checkpointDir, path, statSync(join(checkpointDir, path)));
}

/**
 * Throws a ModelDirectoryError naming the first file that is gone or whose bytes differ from its
 * fingerprint: `unet/weights.pb: changed since registration (sha256 1a2b3c4d5e6f… ≠ 0f9e8d7c6b5a…)`.
 */
export async function verifyFingerprints(checkpointDir: string, files: readonly FileFingerprint[]): Promise<void> {
  for (const file of files) {
    let stat;
    try {
      stat = statSync(join(checkpointDir, file.path));
    } catch {
      throw new ModelDirectoryError(checkpointDir, file.path, 'is missing (it was there at registration)');
    }
    if (stat.size === file.size && stat.mtimeMs === file.mtimeMs) continue;
    const now = await readFingerprint(checkpointDir, file.path, stat);
    if (now.sha256 !== file.sha256) {
      throw new ModelDirectoryError(checkpointDir, file.path, `changed since registration (sha256 ${short(now.sha256)} ≠ ${short(file.sha256)} registered)`);
    }
  }
}

async function readFingerprint(checkpointDir: string, path: string, stat: { size: number; mtimeMs: number }, alsoInto?: Hash): Promise<FileFingerprint> {
  const hash = createHash('sha256');
  // The stat is taken before the read: a file written during it has a newer mtime, so its next load re-hashes it.
  for await (const chunk of createReadStream(join(checkpointDir, path), { highWaterMark: 4 << 20 })) {
    hash.update(chunk as Buffer);
    alsoInto?.update(chunk as Buffer);
  }
  return { path, size: stat.size, mtimeMs: stat.mtimeMs, sha256: hash.digest('hex') };
}

function short(sha256: string): string {
  return `${sha256.slice(0, 12)}…`;
}

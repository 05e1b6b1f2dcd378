import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashComponent } from './content-hash';
import { fingerprintComponent, fingerprintFile, verifyFingerprints } from './file-fingerprints';

describe('file fingerprints', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'afd-fingerprints-'));
    mkdirSync(join(dir, 'unet'));
    writeFileSync(join(dir, 'unet', 'model.onnx'), 'graph');
    writeFileSync(join(dir, 'unet', 'weights.pb'), Buffer.alloc(10_000, 7));
    writeFileSync(join(dir, 'model_index.json'), '{}');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the content address of hashComponent and fingerprints each file from the same read', async () => {
    const { hash, files } = await fingerprintComponent(dir, 'unet');
    expect(hash).toBe(await hashComponent(join(dir, 'unet')));
    expect(files.map((f) => [f.path, f.size])).toEqual([
      ['unet/model.onnx', 5],
      ['unet/weights.pb', 10_000],
    ]);
    expect(files[1]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    await expect(verifyFingerprints(dir, [...files, await fingerprintFile(dir, 'model_index.json')])).resolves.toBeUndefined();
  });

  it('remembers a component between registrations, trusting files whose size and modification time are unchanged', async () => {
    const weights = join(dir, 'unet', 'weights.pb');
    const mtime = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    utimesSync(weights, mtime, mtime);
    const first = await fingerprintComponent(dir, 'unet');
    const remembered = JSON.parse(readFileSync(join(dir, 'unet', '.afd-optimized', 'fingerprints.json'), 'utf8')) as { hash: string };
    expect(remembered.hash).toBe(first.hash);
    // The remembered file is not part of the content address.
    expect(await hashComponent(join(dir, 'unet'))).toBe(first.hash);

    // Same size and mtime: trusted without a read (the same rule as verifyFingerprints), so a change
    // that restores both is not seen until the size or mtime differs.
    writeFileSync(weights, Buffer.alloc(10_000, 9));
    utimesSync(weights, mtime, mtime);
    expect((await fingerprintComponent(dir, 'unet')).hash).toBe(first.hash);

    const later = new Date(mtime.getTime() + 60_000);
    utimesSync(weights, later, later);
    const again = await fingerprintComponent(dir, 'unet');
    expect(again.hash).not.toBe(first.hash);
    expect(again.hash).toBe(await hashComponent(join(dir, 'unet')));
  });

  it('still fingerprints a component whose folder cannot be written (nothing remembered)', async () => {
    writeFileSync(join(dir, 'unet', '.afd-optimized'), 'a file where the folder would go');
    const { hash } = await fingerprintComponent(dir, 'unet');
    expect(hash).toBe(await hashComponent(join(dir, 'unet')));
  });

  it('names a file whose bytes changed, and one that is gone; a file only touched passes', async () => {
    const { files } = await fingerprintComponent(dir, 'unet');
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'unet', 'weights.pb'), later, later);
    await expect(verifyFingerprints(dir, files)).resolves.toBeUndefined();

    writeFileSync(join(dir, 'unet', 'weights.pb'), Buffer.alloc(10_000, 8));
    await expect(verifyFingerprints(dir, files)).rejects.toMatchObject({
      code: 'MODEL_DIRECTORY_INVALID',
      file: 'unet/weights.pb',
      problem: expect.stringMatching(/^changed since registration \(sha256 [0-9a-f]{12}… ≠ [0-9a-f]{12}… registered\)$/),
    });
    rmSync(join(dir, 'unet', 'model.onnx'));
    await expect(verifyFingerprints(dir, files)).rejects.toMatchObject({ file: 'unet/model.onnx', problem: 'is missing (it was there at registration)' });
  });
});

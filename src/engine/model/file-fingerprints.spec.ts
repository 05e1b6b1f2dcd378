import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
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

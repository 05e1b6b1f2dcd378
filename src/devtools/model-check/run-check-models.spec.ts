import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FixtureDirectories, truncateFile } from './model-directories.fixture';
import type { InspectionReport } from './inspection-report';
import { runCheckModels } from './run-check-models';

const fixtures = new FixtureDirectories();

afterAll(() => rmSync(fixtures.root, { recursive: true, force: true }));

/** `npm run models:check -- ...` minus the build step. */
function check(...argv: string[]): { code: number; output: string } {
  const printed: string[] = [];
  const code = runCheckModels(argv, (text) => printed.push(text));
  return { code, output: printed.join('\n') };
}

describe('models:check', () => {
  it('exits 0 on a clean directory and prints the listing', () => {
    const result = check(fixtures.clean('tiny'));
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/^Model directory: /);
    expect(result.output).toMatch(/\nNo problems found\.$/);
  });

  it('exits 1 on errors and names each one', () => {
    const dir = fixtures.copy('tiny');
    truncateFile(dir, 'text_encoder/model.onnx', 0.5);
    rmSync(join(dir, 'tokenizer/special_tokens_map.json'));
    const result = check(dir);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/^ERROR tokenizer\/special_tokens_map\.json: is missing \(rule: the tokenizer folder has /m);
    expect(result.output).toMatch(/^ERROR text_encoder\/model\.onnx: cannot be decoded: the file ends in the middle of a protobuf field: truncated/m);
    expect(result.output).toMatch(/\n2 errors, 0 warnings\.$/);
  });

  it('exits 0 when there are only warnings', () => {
    const dir = fixtures.copy('tiny');
    writeFileSync(join(dir, 'scheduler/scheduler_config.json'), JSON.stringify({ _class_name: 'DPMSolverSDEScheduler' }));
    const result = check(dir);
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/^WARNING scheduler\/scheduler_config\.json: DPMSolverSDEScheduler is not one of /m);
  });

  it('prints the report as JSON with --json', () => {
    const dir = fixtures.copy('tiny');
    rmSync(join(dir, 'unet'), { recursive: true });
    const result = check('--json', dir);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.output) as InspectionReport;
    expect(report).toMatchObject({ dir, errorCount: 1, warningCount: 0 });
    expect(report.problems[0]).toMatchObject({ severity: 'error', file: 'unet/model.onnx', code: 'missing-component' });
    expect(report.components.map((c) => c.name)).toEqual(['text_encoder', 'vae_decoder']);
  });

  it.each([
    [[], /^models:check: a model directory is required\nusage: npm run models:check -- DIR \[--json\]/],
    [['a', 'b'], /^models:check: one directory at a time \(got 2\)\nusage:/],
    [['--bogus', 'x'], /^models:check: Unknown option '--bogus'.*\nusage:/],
    [['/no/such/dir'], /^models:check: \/no\/such\/dir is not a directory\nusage:/],
  ])('exits 2 with one line and the usage for %j', (argv, message) => {
    const result = check(...argv);
    expect(result.code).toBe(2);
    expect(result.output).toMatch(message);
    expect(result.output).not.toMatch(/\n\s+at /);
  });

  it('exits 2 for a file given as the directory', () => {
    const file = join(fixtures.clean('tiny'), 'model_index.json');
    expect(check(file)).toEqual({ code: 2, output: expect.stringMatching(/is not a directory\nusage:/) });
  });

  it('prints the usage with --help', () => {
    expect(check('--help')).toEqual({ code: 0, output: expect.stringMatching(/^usage: npm run models:check -- DIR \[--json\]/) });
  });

  it('turns an unexpected failure into one line and exit code 1', () => {
    const printed: string[] = [];
    let calls = 0;
    const code = runCheckModels([fixtures.clean('tiny')], (text) => {
      calls++;
      if (calls === 1) throw new Error('stdout closed\n    at somewhere');
      printed.push(text);
    });
    expect(code).toBe(1);
    expect(printed).toEqual(['models:check: stdout closed']);
  });
});

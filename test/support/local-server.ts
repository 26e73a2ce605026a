/**
 * Starts the local server (`npm start`'s entry point) as a child process and reads what it prints.
 * It waits for readiness, not for a fixed time: until the banner (and, on a first start, the
 * "demo data ready" line) is printed, failing at once if the process exits, and giving up only
 * when the process has printed nothing for {@link STALL_GUARD_MS} (a hang, not slowness).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { STALL_GUARD_MS } from './timeouts.js';

export const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
/** One process (no tsx wrapper in between), so a signal reaches exactly the server. */
export const NODE_WITH_TSX = [process.execPath, '--import', 'tsx'] as const;

export interface RunningLocalServer {
  process: ChildProcessWithoutNullStreams;
  url: string;
  adminToken: string;
  newToken: boolean;
  output: () => string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startLocalServer(args: string[], env: Record<string, string> = {}): Promise<RunningLocalServer> {
  const [node, ...nodeArgs] = NODE_WITH_TSX;
  const child = spawn(node, [...nodeArgs, 'functions/local/main.ts', ...args], {
    env: { ...process.env, PUFA_LOG_LEVEL: 'warn', ...env },
    stdio: 'pipe',
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let settled = false;
    let stall: NodeJS.Timeout | undefined;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(stall);
      reject(new Error(`${message}:\n${output}`));
    };
    const watchForStall = () => {
      clearTimeout(stall);
      stall = setTimeout(() => {
        child.kill('SIGKILL');
        fail(`The local server printed nothing for ${STALL_GUARD_MS / 1000} s while starting (hung)`);
      }, STALL_GUARD_MS);
    };
    watchForStall();
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (settled) return;
      watchForStall();
      const url = output.match(/URL:\s+(http:\/\/\S+)/)?.[1];
      const token = output.match(/Admin token( \(new\))?: (pufa_\S+)/);
      if (!url || !token?.[2] || !output.includes('Ctrl-C')) return;
      // A first start answers before its demo data is in; the tests expect the demo data.
      if (output.includes('demo data failed')) {
        child.kill('SIGKILL');
        fail('The local server could not load its demo data');
        return;
      }
      if (output.includes('demo data loading') && !output.includes('demo data ready')) return;
      settled = true;
      clearTimeout(stall);
      resolve({
        process: child,
        url,
        adminToken: token[2],
        newToken: token[1] !== undefined,
        output: () => output,
        stop: async (signal = 'SIGINT') => {
          child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => fail(`The local server exited with ${code} before it was ready`));
  });
}

/**
 * Starts the local server (`npm start`'s entry point) as a child process and reads what it prints.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';

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
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The local server did not start within 60 s:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = output.match(/URL:\s+(http:\/\/\S+)/)?.[1];
      const token = output.match(/Admin token( \(new\))?: (pufa_\S+)/);
      if (url && token?.[2] && output.includes('Ctrl-C')) {
        clearTimeout(timer);
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
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`The local server exited with ${code} before it was ready:\n${output}`));
    });
  });
}

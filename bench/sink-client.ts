/**
 * @module bench/sink-client
 * Starts the SNS sink in a process of its own (bench/sink-process.ts) and asks it what it saw:
 * for the benchmarks that send through the real SNS client (dispatch-rate, dispatch-aws-shape).
 */
import { fork } from 'node:child_process';
import type { SinkAnswer, SinkConfig, SinkRequest } from './sink-process.js';

export interface SinkProcess {
  endpoint: string;
  report(): Promise<Extract<SinkAnswer, { type: 'report' }>>;
  /** SMS and batches accepted so far (cheaper than a report). */
  accepted(): Promise<number>;
  stop(): Promise<void>;
}

export async function startSinkProcess(config: SinkConfig): Promise<SinkProcess> {
  const child = fork('bench/sink-process.ts', [], { execArgv: ['--import', 'tsx'] });
  const ask = <T extends SinkAnswer['type']>(request: SinkRequest, answer: T) =>
    new Promise<Extract<SinkAnswer, { type: T }>>((resolve) => {
      const listen = (message: SinkAnswer) => {
        if (message.type !== answer) return;
        child.off('message', listen);
        resolve(message as Extract<SinkAnswer, { type: T }>);
      };
      child.on('message', listen);
      child.send(request);
    });
  const { endpoint } = await ask({ type: 'start', config }, 'started');
  return {
    endpoint,
    report: () => ask({ type: 'report' }, 'report'),
    accepted: () => ask({ type: 'count' }, 'count').then((answer) => answer.accepted),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'stop' } satisfies SinkRequest);
      }),
  };
}

/**
 * @module bench/sink-process
 * The local SNS sink in a process of its own, for the dispatch benchmark: SNS is another machine,
 * so its clock and its event loop must not be the dispatcher's (in one process, a busy
 * dispatcher would delay the sink's own reading of when a message arrived). Started with `fork`;
 * configured by its first message, it answers with its endpoint, and later with what it saw.
 *
 * It plays SNS's part of the cap: it counts arrivals per calendar second and answers `Throttled`
 * to any beyond `cap`, as an account's SMS rate limit would. With `track`, it also keeps every
 * accepted SMS's number and the time it reached the sink (before the injected latency), for
 * benchmarks that look for duplicates and for sends after an instant (bench/dispatch-aws-shape.ts).
 */
import { Outbox, startSnsSink } from '../functions/local/sns-sink.js';

export interface SinkConfig {
  cap: number;
  latencyMs: number;
  /** Keep each accepted SMS's number and arrival time (see `SinkAnswer` `report.sms`). */
  track?: boolean;
}

export type SinkRequest = { type: 'start'; config: SinkConfig } | { type: 'report' } | { type: 'count' } | { type: 'stop' };
export type SinkAnswer =
  | { type: 'started'; endpoint: string }
  | {
      type: 'report';
      arrivals: [second: number, count: number][];
      throttled: number;
      accepted: number;
      /** With `track`: each accepted SMS, its number and when it reached the sink (epoch ms, before the injected latency). */
      sms?: [phoneNumber: string, arrivedAtMs: number][];
    }
  | { type: 'count'; accepted: number };

const send = (answer: SinkAnswer) => process.send?.(answer);

const arrivals = new Map<number, number>();
let throttled = 0;
let accepted = 0;
const sms: [string, number][] = [];
let stop: (() => Promise<void>) | undefined;

process.on('message', (request: SinkRequest) => {
  if (request.type === 'start') {
    const { cap, latencyMs, track } = request.config;
    void startSnsSink({
      outbox: new Outbox(100, (entry) => {
        accepted += 1;
        // The sink stamps an entry after its injected latency: take that back off.
        if (track && entry.kind === 'sms') sms.push([entry.phoneNumber ?? '', Date.parse(entry.receivedAt) - latencyMs]);
      }),
      faults: {
        latencyMs,
        throttle: () => {
          const second = Math.floor(Date.now() / 1000);
          const seen = (arrivals.get(second) ?? 0) + 1;
          arrivals.set(second, seen);
          if (seen <= cap) return false;
          throttled += 1;
          return true;
        },
      },
    }).then((sink) => {
      stop = sink.stop;
      send({ type: 'started', endpoint: sink.endpoint });
    });
  } else if (request.type === 'report') {
    send({ type: 'report', arrivals: [...arrivals].sort((a, b) => a[0] - b[0]), throttled, accepted, ...(sms.length > 0 ? { sms } : {}) });
  } else if (request.type === 'count') {
    send({ type: 'count', accepted });
  } else {
    void (stop?.() ?? Promise.resolve()).then(() => process.exit(0));
  }
});

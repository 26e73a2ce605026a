/**
 * @module bench/dispatch-aws-shape
 * The dispatcher in the shape AWS runs it: an invocation started every period (60 s, on the real
 * clock) by the "schedule", each one a process of its own running the real dispatch handler
 * (bench/dispatch-invocation.ts imports functions/handlers/dispatch.ts, whose budget is the
 * invocation's remaining time less the margin), killed with SIGKILL at its timeout as Lambda stops
 * a function, against the SNS sink process at the cap (20/s) with 20 ms injected latency. The
 * timeout and period are the deployed ones (functions/handlers/dispatch-schedule.ts), or
 * `--timeout S` to measure another (e.g. the former 55 s). `--quick` scales the period to 20 s and
 * the timeout with it, on a smaller push.
 *
 * One SMS notice to the whole county, due at once, larger than the push measured: when the sink
 * has accepted PUSH SMS (4,800 at 20/s: four minutes, five ticks), the notice is paused through
 * the notices workflow (as `POST …/pause` does), the schedule stops, and the live invocations are
 * left to end (or be killed). Figures:
 * - share of the cap over the push: SMS the sink accepted in its full calendar seconds between the
 *   first second it saw (the ramp) and the second of the pause (the tail), over cap × seconds;
 *   and, less flattering, over the whole time from the first invocation to the pause;
 * - the largest second at the sink (all attempts, throttled ones included: must be ≤ the cap) and
 *   how many it throttled;
 * - duplicates: an SMS Publish carries no delivery id (the SMS attributes are the SMS type and
 *   sender), but each delivery here is one subscriber's one send, and every subscriber has a
 *   number of its own, so a number the sink accepts twice is a delivery sent twice;
 * - pause latency: SMS that reached the sink after the pause answered (goal 0), and how long
 *   after it the last one came.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import type { Caller } from '../functions/domain/access.js';
import { DISPATCH_PERIOD_SECONDS, DISPATCH_TIMEOUT_SECONDS, dispatchBudgetMs } from '../functions/handlers/dispatch-schedule.js';
import { LOCAL_STATION_TOPIC } from '../functions/local/runtime.js';
import type { DispatchSummary } from '../functions/workflows/dispatch.js';
import { actOnNotice } from '../functions/workflows/notices.js';
import type { InvocationAnswer, InvocationRequest } from './dispatch-invocation.js';
import { addSubscribers, benchRegistry, COUNTY, finishExpansion, loadScene, sceneEnv, scheduleNotice, TIME_ZONE } from './scene.js';
import { note, quick, report, startDatabase } from './shared.js';
import { startSinkProcess } from './sink-client.js';

const CAP = 20;
const SINK_LATENCY_MS = 20;
const TABLE = 'bench-aws-shape';
const timeoutArg = process.argv.indexOf('--timeout');
const TIMEOUT_SECONDS = timeoutArg > 0 ? Number(process.argv[timeoutArg + 1]) : DISPATCH_TIMEOUT_SECONDS;
if (!(TIMEOUT_SECONDS > 5)) throw new Error('--timeout takes a number of seconds above the 5 s margin');
/** --quick: the schedule three times faster, period and timeout alike (the margin stays 5 s). */
const SCALE = quick ? 1 / 3 : 1;
const PERIOD_MS = DISPATCH_PERIOD_SECONDS * 1000 * SCALE;
const TIMEOUT_MS = TIMEOUT_SECONDS * 1000 * SCALE;
/** SMS the push runs for before the pause: 4 minutes at the cap, 5 ticks (quick: 50 s, 3 ticks of 20 s). */
const PUSH = quick ? 1_000 : 4_800;
/** Deliveries left when the pause comes: what it must hold back. */
const TAIL = quick ? 200 : 400;
/** Each invocation's process is started this long before its tick, so the tick finds it warm (as the two alternating environments are in AWS). */
const PREWARM_MS = quick ? 10_000 : 20_000;

const staff: Caller = { tokenId: 'tok_bench_staff', county: COUNTY, role: 'staff', name: '宣传员' };
const sleep = (ms: number) => new Promise<void>((wake) => setTimeout(wake, Math.max(0, ms)));

interface Invocation {
  index: number;
  tickAtMs: number;
  child: ChildProcess;
  ready: Promise<number>;
  exited: Promise<void>;
  invokedAtMs?: number;
  deadlineMs?: number;
  endedAtMs?: number;
  killed: boolean;
  summary?: DispatchSummary;
  error?: string;
}

const database = await startDatabase({ tableName: TABLE, env: sceneEnv });
try {
  const { store } = database.local;
  const registry = benchRegistry();
  await loadScene(store, registry);
  await addSubscribers(store, registry, { to: PUSH + TAIL });
  const sink = await startSinkProcess({ cap: CAP, latencyMs: SINK_LATENCY_MS, track: true });
  try {
    const ids = await scheduleNotice(store, 'sms');
    await finishExpansion(store, ids);
    const total = (await store.deliveries.counts(COUNTY, ids.campaignId, ids.noticeId)).total;
    if (total !== PUSH + TAIL) throw new Error(`expected ${PUSH + TAIL} deliveries, the expansion made ${total}`);

    // What the deployed function's environment holds, pointed at the local table and sink.
    const lambdaEnv = {
      ...process.env,
      PUFA_TABLE_NAME: TABLE,
      PUFA_COUNTY: COUNTY,
      PUFA_TIME_ZONE: TIME_ZONE,
      PUFA_DYNAMODB_ENDPOINT: database.endpoint,
      PUFA_SNS_ENDPOINT: sink.endpoint,
      PUFA_STATION_TOPIC_ARN: LOCAL_STATION_TOPIC,
      PUFA_SMS_PER_SECOND: String(CAP),
      PUFA_LOG_LEVEL: 'silent',
      PUFA_PHONE_KEY_SECRET: 'bench-aws-shape-phone-key-secret-0123456789-abcdefghij',
    };

    const invocations: Invocation[] = [];
    const prewarm = (index: number, tickAtMs: number): Invocation => {
      const child = fork('bench/dispatch-invocation.ts', [], { execArgv: ['--import', 'tsx'], env: lambdaEnv });
      const invocation: Invocation = {
        index,
        tickAtMs,
        child,
        killed: false,
        ready: new Promise((resolve, reject) => {
          child.once('message', (answer: InvocationAnswer) => (answer.type === 'ready' ? resolve(Date.now()) : reject(new Error(`invocation ${index}: ${JSON.stringify(answer)}`))));
        }),
        exited: new Promise((resolve) => child.once('exit', () => resolve())),
      };
      child.on('message', (answer: InvocationAnswer) => {
        if (answer.type === 'done') {
          invocation.summary = answer.summary;
          invocation.endedAtMs = answer.endedAtMs;
        } else if (answer.type === 'failed') {
          invocation.error = answer.error;
          invocation.endedAtMs = Date.now();
        }
      });
      invocations.push(invocation);
      return invocation;
    };
    /** Lambda's invoke: the timeout runs from here (the init before it is not counted); SIGKILL at the deadline. */
    const invoke = async (invocation: Invocation) => {
      await invocation.ready;
      invocation.invokedAtMs = Date.now();
      invocation.deadlineMs = invocation.invokedAtMs + TIMEOUT_MS;
      invocation.child.send({ type: 'invoke', deadlineMs: invocation.deadlineMs } satisfies InvocationRequest);
      const timer = setTimeout(() => {
        if (invocation.endedAtMs !== undefined) return;
        invocation.killed = true;
        invocation.endedAtMs = Date.now();
        invocation.child.kill('SIGKILL');
      }, invocation.deadlineMs - Date.now());
      void invocation.exited.then(() => clearTimeout(timer));
    };

    // The schedule: tick k at t0 + k × period, its process started PREWARM_MS before.
    let ticking = true;
    const first = prewarm(0, 0);
    const t0 = await first.ready;
    first.tickAtMs = t0;
    const schedule = (async () => {
      await invoke(first);
      for (let index = 1; ; index += 1) {
        const tickAtMs = t0 + index * PERIOD_MS;
        await sleep(tickAtMs - PREWARM_MS - Date.now());
        if (!ticking) return;
        const next = prewarm(index, tickAtMs);
        await sleep(tickAtMs - Date.now());
        if (!ticking) {
          next.child.kill('SIGKILL'); // never invoked: not a run
          return;
        }
        await invoke(next);
      }
    })();

    // The pause, once the push has sent PUSH SMS.
    const giveUpAt = t0 + ((PUSH + TAIL) / CAP) * 1000 * 3 + 2 * PERIOD_MS;
    while ((await sink.accepted()) < PUSH) {
      if (Date.now() > giveUpAt) throw new Error(`the push did not reach ${PUSH} SMS in time`);
      await sleep(100);
    }
    const pauseRequestedAtMs = Date.now();
    await actOnNotice({ store, config: { timeZone: TIME_ZONE }, now: new Date() }, staff, ids.campaignId, ids.noticeId, 'pause');
    const pausedAtMs = Date.now();
    ticking = false;
    await schedule;
    const invoked = invocations.filter((invocation) => invocation.invokedAtMs !== undefined);
    await Promise.all(invoked.map((invocation) => invocation.exited));
    const endedAtMs = Date.now();

    // --- What the sink saw.
    const seen = await sink.report();
    const sms = seen.sms ?? [];
    const distinct = new Set(sms.map(([phone]) => phone)).size;
    const duplicates = sms.length - distinct;
    const perSecond = new Map(seen.arrivals);
    const busiest = Math.max(...seen.arrivals.map(([, count]) => count));
    const acceptedBySecond = new Map<number, number>();
    for (const [, at] of sms) acceptedBySecond.set(Math.floor(at / 1000), (acceptedBySecond.get(Math.floor(at / 1000)) ?? 0) + 1);
    const firstSecond = Math.min(...sms.map(([, at]) => Math.floor(at / 1000)));
    const pauseSecond = Math.floor(pauseRequestedAtMs / 1000);
    const inner = Array.from({ length: Math.max(0, pauseSecond - firstSecond - 1) }, (_, offset) => firstSecond + 1 + offset);
    const innerSent = inner.reduce((sum, second) => sum + (acceptedBySecond.get(second) ?? 0), 0);
    const share = innerSent / (inner.length * CAP);
    const beforePause = sms.filter(([, at]) => at <= pauseRequestedAtMs).length;
    const wholeShare = beforePause / (((pauseRequestedAtMs - t0) / 1000) * CAP);
    const afterPause = sms.filter(([, at]) => at > pausedAtMs);
    const afterRequest = sms.filter(([, at]) => at > pauseRequestedAtMs).length;
    const lastAfterPauseMs = afterPause.length > 0 ? Math.max(...afterPause.map(([, at]) => at)) - pausedAtMs : 0;
    const counts = await store.deliveries.counts(COUNTY, ids.campaignId, ids.noticeId);

    // --- The runs.
    const sum = (field: 'claimed' | 'sent' | 'lostLeases' | 'retried' | 'parked') => invoked.reduce((total, invocation) => total + (invocation.summary?.[field] ?? 0), 0);
    const killed = invoked.filter((invocation) => invocation.killed).length;
    const failed = invoked.filter((invocation) => invocation.error !== undefined);
    const edges = invoked.flatMap((invocation) => [
      [invocation.invokedAtMs ?? 0, 1],
      [invocation.endedAtMs ?? endedAtMs, -1],
    ]);
    let alive = 0;
    let mostAlive = 0;
    for (const [, step] of edges.sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0))) {
      alive += step ?? 0;
      mostAlive = Math.max(mostAlive, alive);
    }
    // Seconds in which no run was alive (between one's end and the next one's start), before the pause.
    const gaps = invoked
      .slice(1)
      .map((invocation, index) => (invocation.invokedAtMs ?? 0) - Math.max(...invoked.slice(0, index + 1).map((earlier) => earlier.endedAtMs ?? endedAtMs)))
      .filter((gap) => gap > 0);

    const prefix = `dispatch_aws_shape_timeout${TIMEOUT_SECONDS}`;
    report(`${prefix}_sms_sent`, sms.length, 'sms');
    report(`${prefix}_wall_time`, (pauseRequestedAtMs - t0) / 1000, 's');
    report(`${prefix}_share_of_cap`, share, 'ratio');
    report(`${prefix}_share_of_cap_from_first_tick`, wholeShare, 'ratio');
    report(`${prefix}_max_second`, busiest, 'sms/s');
    report(`${prefix}_throttled`, seen.throttled, 'errors');
    report(`${prefix}_duplicates`, duplicates, 'sms');
    report(`${prefix}_sms_after_pause_request`, afterRequest, 'sms');
    report(`${prefix}_sms_after_pause`, afterPause.length, 'sms');
    report(`${prefix}_last_sms_after_pause`, lastAfterPauseMs, 'ms');
    note(
      `schedule: a run every ${PERIOD_MS / 1000} s, timeout ${TIMEOUT_MS / 1000} s (budget ${dispatchBudgetMs(TIMEOUT_MS) / 1000} s), cap ${CAP}/s, sink latency ${SINK_LATENCY_MS} ms` +
        (quick ? ' (--quick: period and timeout scaled by 1/3)' : ''),
    );
    note(
      `push: ${beforePause} SMS accepted from the first tick to the pause request (${((pauseRequestedAtMs - t0) / 1000).toFixed(1)} s); ` +
        `inner seconds ${inner.length} (from the sink's first second +1 to the pause's second −1): ${innerSent} SMS, ` +
        `${inner.filter((second) => (acceptedBySecond.get(second) ?? 0) < CAP).length} below the cap, lowest ${Math.min(...inner.map((second) => acceptedBySecond.get(second) ?? 0))}`,
    );
    const low = inner.filter((second) => (acceptedBySecond.get(second) ?? 0) < CAP);
    if (low.length > 0) {
      note(`seconds below the cap (from the first tick: SMS): ${low.map((second) => `+${second - Math.floor(t0 / 1000)}: ${acceptedBySecond.get(second) ?? 0}`).join(', ')}`);
    }
    const minutes = Array.from({ length: Math.floor((pauseRequestedAtMs - t0) / PERIOD_MS) }, (_, index) => {
      const from = t0 + index * PERIOD_MS;
      const inWindow = sms.filter(([, at]) => at >= from && at < from + PERIOD_MS).length;
      return (inWindow / ((PERIOD_MS / 1000) * CAP)).toFixed(3);
    });
    note(`share of the cap per period, from each tick: ${minutes.join(', ')}`);
    note(
      `runs: ${invoked.length} invoked, at most ${mostAlive} alive at once, ${killed} killed at the timeout, ${failed.length} failed` +
        `${failed.length > 0 ? ` (${failed.map((invocation) => invocation.error).join('; ')})` : ''}; ` +
        `time with no run alive before the pause: ${gaps.length > 0 ? `${gaps.map((gap) => (gap / 1000).toFixed(1)).join(', ')} s` : 'none'}`,
    );
    for (const invocation of invoked) {
      const at = (ms: number | undefined) => (ms === undefined ? '?' : `+${((ms - t0) / 1000).toFixed(1)}`);
      const summary = invocation.summary;
      note(
        `  run ${invocation.index}: tick ${at(invocation.tickAtMs)} s, invoked ${at(invocation.invokedAtMs)} s, ended ${at(invocation.endedAtMs)} s` +
          `${invocation.killed ? ' (KILLED at the timeout)' : ''}` +
          (summary ? `: claimed ${summary.claimed}, sent ${summary.sent}, retried ${summary.retried}, parked ${summary.parked}, lost leases ${summary.lostLeases}` : ''),
      );
    }
    note(
      `totals from the runs' summaries: claimed ${sum('claimed')}, sent ${sum('sent')}, retried ${sum('retried')}, parked ${sum('parked')}, lost leases ${sum('lostLeases')}; ` +
        `the notice's counts: sent ${counts.sent}, pending ${counts.pending}, failed ${counts.failed}; the sink accepted ${sms.length} (${distinct} numbers)`,
    );
    note(
      `pause: asked at +${((pauseRequestedAtMs - t0) / 1000).toFixed(1)} s, answered ${pausedAtMs - pauseRequestedAtMs} ms later; ` +
        `SMS that reached the sink after the request ${afterRequest}, after the answer ${afterPause.length}` +
        (afterPause.length > 0 ? ` (the last ${lastAfterPauseMs} ms after it)` : '') +
        `; the last run ended ${((Math.max(...invoked.map((invocation) => invocation.endedAtMs ?? endedAtMs)) - pausedAtMs) / 1000).toFixed(1)} s after it`,
    );
    note(`${cpus().length} cores shared, load average ${loadavg()[0]?.toFixed(2)}; the sink's busiest seconds: ${[...perSecond.values()].sort((a, b) => b - a).slice(0, 3).join(', ')}`);
  } finally {
    await sink.stop();
  }
} finally {
  await database.stop();
}

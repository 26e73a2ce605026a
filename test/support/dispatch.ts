/**
 * A delivery test bench: a fresh table with the sample registry, subscribers, a campaign in 2031,
 * a local SNS sink with injectable faults, the real SNS notifier, and a clock the test moves.
 */
import type { Caller } from '../../functions/domain/access.js';
import type { NoticeInput } from '../../functions/domain/planning.js';
import { noticeInputSchema } from '../../functions/domain/planning.js';
import { createLogger, type Logger } from '../../functions/http/logger.js';
import { startSnsSink, type RunningSnsSink, type SinkFaults, type SinkReceipts } from '../../functions/local/sns-sink.js';
import { sinkReceipts } from '../../functions/local/receipts.js';
import type { ReceiptsSummary } from '../../functions/workflows/receipts.js';
import { createSnsClient, createSnsNotifier, type Notifier } from '../../functions/notify/sns.js';
import { defaultDispatchSettings, runDispatch, type DispatchDeps, type DispatchSettings } from '../../functions/workflows/dispatch.js';
import { actOnNotice, createCampaign, createNotice } from '../../functions/workflows/notices.js';
import { loadPlan } from '../../functions/workflows/plans.js';
import type { TestDatabase } from './db.js';
import { aPlan, sampleRegistry } from './planning.js';

export const STATION_TOPIC = 'arn:aws:sns:local:000000000000:pufa-stations';

const staff: Caller = { tokenId: 'tok_staff', county: 'testcounty', role: 'staff', name: '宣传员' };
const reviewer: Caller = { tokenId: 'tok_reviewer', county: 'testcounty', role: 'reviewer', name: '审核员' };

/** A made-up mainland mobile number in a range used only by these tests. */
export const testPhone = (index: number) => `+86199${String(index).padStart(8, '0')}`;

export class TestClock {
  constructor(public now: Date) {}
  read = () => new Date(this.now);
  set(iso: string) {
    this.now = new Date(iso);
  }
  advance(ms: number) {
    this.now = new Date(this.now.getTime() + ms);
  }
  /** For the dispatcher's waits: time passes for the clock, not for the test. */
  sleep = async (ms: number) => {
    this.advance(ms);
  };
}

export interface Bench {
  db: TestDatabase;
  sink: RunningSnsSink;
  faults: SinkFaults;
  notifier: Notifier;
  clock: TestClock;
  settings: DispatchSettings;
  dispatch(options?: { notifier?: Notifier; budgetMs?: number; logger?: Logger; audioLinks?: DispatchDeps['audioLinks']; wechat?: DispatchDeps['wechat'] }): ReturnType<typeof runDispatch>;
  /** Holds the sink's receipts back until the returned function is called. */
  holdReceipts(): () => void;
  /** Writes, submits, approves and schedules a notice in a fresh campaign; returns its ids. */
  scheduled(notice: Record<string, unknown>, campaign?: { keyDate?: string; window?: { start: string; end: string } }): Promise<{ campaignId: string; noticeId: string }>;
  addSubscribers(count: number, options?: { township?: string; village?: string; groups?: string[]; consent?: boolean }): Promise<string[]>;
  /** What each receipt event the sink handed on did (with `receipts`). */
  receiptSummaries: ReceiptsSummary[];
  stop(): Promise<void>;
}

/** The sink's receipts (delay 0 unless given), applied by the receipts Lambda's code on the bench's table and clock. */
export type BenchReceipts = Omit<SinkReceipts, 'deliver'>;

let campaigns = 0;

export async function aBench(db: TestDatabase, settings: Partial<DispatchSettings> = {}, options: { receipts?: BenchReceipts } = {}): Promise<Bench> {
  const faults: SinkFaults = {};
  const receiptSummaries: ReceiptsSummary[] = [];
  const clock = new TestClock(new Date('2031-03-01T00:00:00Z'));
  // Wired as npm start wires its sink (local/receipts.ts), on the bench's table and clock.
  // A gate the test may close: receipts wait at it, so their order against the dispatcher's writes is the test's choice, not a race.
  let gate: Promise<void> = Promise.resolve();
  const wired = sinkReceipts({ delayMs: 0, failureShare: 0 }, () => ({ store: db.store, clock: clock.read, logger: db.logger }), (summary) => receiptSummaries.push(summary));
  const receipts: SinkReceipts | undefined = options.receipts && {
    ...wired,
    deliver: async (event) => {
      await gate;
      return wired.deliver(event);
    },
    ...options.receipts,
  };
  const sink = await startSnsSink({ faults, ...(receipts ? { receipts } : {}) });
  const notifier = createSnsNotifier(createSnsClient({ region: 'cn-north-1', endpoint: sink.endpoint }), {
    stationTopicArn: STATION_TOPIC,
    smsType: 'Transactional',
  });
  const merged: DispatchSettings = { ...defaultDispatchSettings, smsPerSecond: 1000, ...settings };
  const deps = { store: db.store, config: db.config, now: clock.read() };
  const loaded = await loadPlan(deps, { plan: aPlan(), registry: sampleRegistry(), county: 'testcounty', loader: { kind: 'system' }, actor: staff, dryRun: false });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  let subscribers = 0;

  return {
    db,
    sink,
    faults,
    notifier,
    clock,
    settings: merged,
    holdReceipts() {
      let release: () => void = () => undefined;
      gate = new Promise<void>((open) => (release = open));
      return release;
    },
    dispatch: (options = {}) =>
      runDispatch(
        { store: db.store, notifier: options.notifier ?? notifier, clock: clock.read, logger: options.logger ?? createLogger({ level: 'silent' }), phoneKeys: db.deps.phoneKeys, settings: merged, audioLinks: options.audioLinks ?? (async () => (await db.deps.speech()).audio), wechat: options.wechat ?? db.deps.wechat, sleep: clock.sleep, random: () => 0.5 },
        { budgetMs: options.budgetMs ?? 20_000 },
      ),
    async scheduled(notice, campaign = {}) {
      campaigns += 1;
      const now = { store: db.store, config: db.config, now: clock.read(), speech: db.deps.speech };
      const created = await createCampaign(now, staff, {
        id: `dc-${campaigns}`,
        title: `投递测试 ${campaigns}`,
        theme: 'consumer-rights',
        keyDate: campaign.keyDate ?? '2031-03-15',
        window: campaign.window ?? { start: '2031-03-08', end: '2031-03-21' },
      });
      const input: NoticeInput = noticeInputSchema.parse({ id: 'n', ...notice });
      await createNotice(now, staff, created.id, input);
      for (const [action, caller] of [['submit', staff], ['approve', reviewer], ['schedule', staff]] as const) {
        await actOnNotice(now, caller, created.id, 'n', action);
      }
      return { campaignId: created.id, noticeId: 'n' };
    },
    async addSubscribers(count, options = {}) {
      const phones: string[] = [];
      const now = clock.read().toISOString();
      for (let index = 0; index < count; index += 1) {
        subscribers += 1;
        const phone = testPhone(subscribers);
        phones.push(phone);
        await db.store.subscribers.upsert(
          {
            county: 'testcounty',
            phone,
            phoneKey: db.deps.phoneKeys.keyOf(phone),
            township: options.township ?? 'chengxiang',
            village: options.village ?? 'chengxiang-xiangyang',
            groups: options.groups ?? [],
            consent: options.consent ?? true,
            optedOut: false,
            createdAt: now,
            updatedAt: now,
          },
          undefined,
        );
      }
      return phones;
    },
    receiptSummaries,
    stop: () => sink.stop(),
  };
}

export const anSmsNotice = (overrides: Record<string, unknown> = {}) => ({
  channel: 'sms',
  audience: { townships: ['chengxiang'] },
  schedule: { kind: 'key-date', days: 0, at: '09:00' },
  sms: { body: '今天是消费者权益日，维权请拨12315。' },
  ...overrides,
});

export const aBroadcastNotice = (overrides: Record<string, unknown> = {}) => ({
  channel: 'broadcast',
  audience: { all: true },
  schedule: { kind: 'key-date', days: 0, at: '07:00' },
  broadcast: { script: '今天是国际消费者权益日，遇到消费纠纷请拨打12315。', airWindows: [{ from: '06:30', to: '08:00' }], repeats: 2 },
  ...overrides,
});

/** How many messages each number or station got, from the sink's outbox. */
export function perRecipient(sink: RunningSnsSink): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of sink.outbox.list()) {
    const who = entry.phoneNumber ?? `${entry.attributes.station}:${(JSON.parse(entry.message) as { id: string }).id}`;
    counts.set(who, (counts.get(who) ?? 0) + 1);
  }
  return counts;
}

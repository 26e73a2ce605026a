/**
 * @module notify/outbox
 * What a sink of sent messages records: the local SNS sink fills it (local/sns-sink.ts), the
 * app shows it (GET /outbox, the outbox page). Its own module, so the app's types know the
 * outbox without knowing the local sink.
 */

export interface OutboxEntry {
  messageId: string;
  kind: 'sms' | 'station';
  receivedAt: string;
  phoneNumber?: string;
  topicArn?: string;
  message: string;
  attributes: Record<string, string>;
}

/** What the sink accepted, newest last; bounded so a long demo cannot eat the memory. */
export class Outbox {
  private readonly entries: OutboxEntry[] = [];
  constructor(
    private readonly capacity = 10_000,
    private readonly onEntry?: (entry: OutboxEntry) => void,
  ) {}

  add(entry: OutboxEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.shift();
    this.onEntry?.(entry);
  }

  list(): readonly OutboxEntry[] {
    return this.entries;
  }

  clear(): void {
    this.entries.length = 0;
  }
}

/**
 * @module domain/fair-queue
 * Fairness and sizing of the due index (issue 17: one deployment, many counties, one SMS quota).
 *
 * Order: a due entry's sort key starts with the minute it is due and its rank within its notice
 * (`<minute>#<rank>#<exact time>#<id>`, keys.due), so the deliveries of every notice due in the
 * same minute interleave — rank 0 of each, then rank 1 of each — whatever order they were
 * expanded in. A county with 100× another's SMS, expanded first, no longer holds the other back.
 * Among what one round reads (several due minutes at once, see store/deliveries `due`), the
 * dispatcher takes its turn round-robin by county (`fairOrder`), so a push due at 09:05 is served
 * beside a backlog left from 09:00 instead of behind it.
 *
 * Size: `dueShardCount` turns the write rates the index must take into a number of partitions.
 */

/** The shards the due index had before it was sized (DUE#0..3): always read, so their items are found. */
export const LEGACY_DUE_SHARDS = 4;

/** Ranks are zero-padded to this many digits: a county of 1.5 million subscribers needs 7. */
export const RANK_DIGITS = 8;

export interface DueIndexSizing {
  /** The account's SMS quota the deployment is sized for (messages a second). */
  sendsPerSecond: number;
  /** Due-index writes per delivery sent: its claim moves the entry (a delete and a put), `inFlight` rewrites it, its outcome removes it. */
  indexWritesPerSend: number;
  /** Deliveries one dispatcher's expansion writes a second (sequential 99-item transactions). */
  expansionPerSecond: number;
  /** DynamoDB's limit on one partition: 1,000 write units a second (an index's partitions too). */
  partitionWritesPerSecond: number;
  /** The share of that limit to plan for: hashing spreads entries unevenly, and a burst should fit. */
  headroom: number;
}

/**
 * The sizing this deployment is built for (docs/scale.md): a raised quota of 1,000 SMS a second
 * (4,000 index writes a second while sending), expansion at up to 4,000 deliveries a second,
 * half of each partition's 1,000 WCU: ceil(4,000 / 500) = 8 shards.
 */
export const dueIndexSizing: DueIndexSizing = {
  sendsPerSecond: 1_000,
  indexWritesPerSend: 4,
  expansionPerSecond: 4_000,
  partitionWritesPerSecond: 1_000,
  headroom: 0.5,
};

/**
 * Partitions the due index needs so that neither the sending nor the expansion's write rate takes
 * any partition past `headroom` of its limit; never fewer than the legacy four, whose entries
 * must stay readable.
 */
export function dueShardCount(sizing: DueIndexSizing): number {
  const peak = Math.max(sizing.sendsPerSecond * sizing.indexWritesPerSend, sizing.expansionPerSecond);
  return Math.max(LEGACY_DUE_SHARDS, Math.ceil(peak / (sizing.partitionWritesPerSecond * sizing.headroom)));
}

/**
 * Round-robin by group, each group's items in the order given: the first of every group, then the
 * second of every group, and so on; groups in the order their first item came. A round's SMS
 * room, when it is short, is thus shared evenly between counties.
 */
export function fairOrder<T>(items: readonly T[], groupOf: (item: T) => string): T[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = groupOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  const lists = [...groups.values()];
  const ordered: T[] = [];
  for (let index = 0; ordered.length < items.length; index += 1) {
    for (const list of lists) {
      const item = list[index];
      if (item !== undefined) ordered.push(item);
    }
  }
  return ordered;
}

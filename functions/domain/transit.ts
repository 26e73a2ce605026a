/**
 * @module domain/transit
 * Pacing sends inside a second: the SMS rate cap counts messages per second as SNS receives them,
 * so a send started too late in a second would land in the next one and overflow it.
 */

/** Sends remembered for the guard: enough to see a slow patch, few enough to forget it soon. */
const TRANSIT_SAMPLES = 32;
/** Before the first answer, assume a slow one: the run's first second must not overflow either. */
const FIRST_TRANSIT_GUARD_MS = 100;
/** However slow SNS gets, three quarters of each second stay usable. */
const MAX_TRANSIT_GUARD_MS = 250;

/**
 * How long recent Publish calls took, from start to answer. A message reaches SNS somewhere in
 * that time, so a send is only started while twice the slowest recent one still fits in the
 * current second (twice: a busy process can be slower than anything it has just seen). Measured
 * on the dispatcher's clock (a test's fixed clock measures 0).
 */
export class TransitTimes {
  private readonly recent: number[] = [];
  add(ms: number): void {
    this.recent.push(ms);
    if (this.recent.length > TRANSIT_SAMPLES) this.recent.shift();
  }
  guardMs(): number {
    if (this.recent.length === 0) return FIRST_TRANSIT_GUARD_MS;
    return Math.min(MAX_TRANSIT_GUARD_MS, 2 * Math.max(...this.recent));
  }
}

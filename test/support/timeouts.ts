/**
 * How long tests wait for things that start (a server, DynamoDB Local, Chromium) — in one place.
 *
 * These are hang guards, not timing assertions: a test waits for readiness (a line printed, a
 * page element shown) and fails at once when the process it waits for exits. Only something stuck
 * for minutes trips them. On 2 cores shared with other work (load average 8–12) a first start
 * takes 10–50 s and a browser page several seconds; the guards sit well above that.
 */

/** A starting process that has printed nothing new for this long is taken as hung. */
export const STALL_GUARD_MS = 5 * 60_000;

/** A test or hook that starts a local server or a browser. */
export const SLOW_TEST_MS = 10 * 60_000;

/** A page element, or a polled answer, that the next step waits for. */
export const UI_WAIT_MS = 2 * 60_000;

/**
 * @module domain/recipient-key
 * The part of a delivery's key that names its recipient: `p` and the phone's key, `s` and the
 * station id, or `w` and a WeChat audience. Apart from domain/delivery (which re-exports it) so the store can build keys without
 * building the delivery schemas (see store/domain-modules).
 */
/** A delivery's recipient, as far as its key needs it (domain/delivery's `Recipient` fits). */
export type KeyedRecipient = { kind: 'sms'; phoneKey: string } | { kind: 'station'; stationId: string } | { kind: 'wechat'; tagId?: number | undefined };

/** `p<phone key>`, `s<station>`, or for a WeChat mass send `wall` (every follower) or `wt<tag>`. */
export function recipientKey(recipient: KeyedRecipient): string {
  if (recipient.kind === 'wechat') return recipient.tagId === undefined ? 'wall' : `wt${recipient.tagId}`;
  return recipient.kind === 'sms' ? `p${recipient.phoneKey}` : `s${recipient.stationId}`;
}

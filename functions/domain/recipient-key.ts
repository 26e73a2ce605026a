/**
 * @module domain/recipient-key
 * The part of a delivery's key that names its recipient: `p` and the phone's key, or `s` and the
 * station id. Apart from domain/delivery (which re-exports it) so the store can build keys without
 * building the delivery schemas (see store/domain-modules).
 */
/** A delivery's recipient, as far as its key needs it (domain/delivery's `Recipient` fits). */
export type KeyedRecipient = { kind: 'sms'; phoneKey: string } | { kind: 'station'; stationId: string };

export function recipientKey(recipient: KeyedRecipient): string {
  return recipient.kind === 'sms' ? `p${recipient.phoneKey}` : `s${recipient.stationId}`;
}

/**
 * @module domain/sns-message
 * The JSON envelope Amazon SNS POSTs to an HTTP/S subscription (Notification,
 * SubscriptionConfirmation, UnsubscribeConfirmation) and the string SNS signs for each: the named
 * fields' names and values, one a line, in this fixed order (Subject only when the message has
 * one). The local sink signs with it and the station receiver checks with it, so both follow
 * the one spelling of SNS's rule.
 */
import { z } from 'zod';

const common = {
  MessageId: z.string().min(1).max(100),
  TopicArn: z.string().min(1).max(300),
  Message: z.string(),
  Timestamp: z.iso.datetime({ offset: true }),
  SignatureVersion: z.enum(['1', '2']),
  Signature: z.string().min(1).max(2048),
  SigningCertURL: z.url().max(1000),
};

const attributeValue = z.object({ Type: z.string(), Value: z.string() });

export const notificationSchema = z.object({
  Type: z.literal('Notification'),
  ...common,
  Subject: z.string().optional(),
  UnsubscribeURL: z.url().max(2000),
  MessageAttributes: z.record(z.string(), attributeValue).optional(),
});

export const confirmationSchema = z.object({
  Type: z.enum(['SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  ...common,
  Token: z.string().min(1).max(2048),
  SubscribeURL: z.url().max(2000),
});

export const snsEnvelopeSchema = z.discriminatedUnion('Type', [notificationSchema, confirmationSchema]);
export type SnsEnvelope = z.infer<typeof snsEnvelopeSchema>;
export type SnsNotification = z.infer<typeof notificationSchema>;
export type SnsConfirmation = z.infer<typeof confirmationSchema>;

const NOTIFICATION_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const CONFIRMATION_FIELDS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;

/** The string SNS signs: `Name\nvalue\n` for each field of the message's type, in SNS's order. */
export function stringToSign(message: Omit<SnsNotification, 'Signature'> | Omit<SnsConfirmation, 'Signature'>): string {
  const fields: readonly string[] = message.Type === 'Notification' ? NOTIFICATION_FIELDS : CONFIRMATION_FIELDS;
  const values = message as unknown as Record<string, string | undefined>;
  return fields
    .filter((field) => values[field] !== undefined)
    .map((field) => `${field}\n${values[field]}\n`)
    .join('');
}

/** SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA. */
export const signatureAlgorithm = (version: '1' | '2') => (version === '2' ? 'RSA-SHA256' : 'RSA-SHA1');

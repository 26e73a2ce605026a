/**
 * @module domain/receipt
 * What the carrier said about an SMS. With delivery-status logging on (infra/sms-account.ts), SNS
 * writes one JSON line per SMS to CloudWatch Logs — `sns/<region>/<account>/DirectPublishToPhoneNumber`
 * for SUCCESS, `…/Failure` for FAILURE — and a subscription filter hands those lines on, gzipped
 * and base64-encoded, as `{"awslogs":{"data":"…"}}`. This module reads both layers (zod, lenient
 * about fields SNS adds), turns a line into a `Receipt` pufa keeps (the number masked, the price in
 * integer micro-USD), and writes the same shapes back for the local sink and the tests.
 * Pure: gzip here is computation on bytes, not I/O.
 *
 * A receipt says what the carrier reported, not what a handset showed: SUCCESS means the carrier
 * accepted the message for the phone ("Message has been accepted by phone carrier").
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { Invalid, type FieldProblem } from './errors.js';
import { maskPhone, maskPhonesIn } from './phone.js';
import type { Receipt } from './receipt-record.js';

export { receiptOutcomes, receiptSchema, type Receipt, type ReceiptOutcome } from './receipt-record.js';

/** SNS's own timestamp format in these lines: UTC, a space, milliseconds ("2016-06-28 00:40:34.558"). */
const SNS_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)Z?$/;
/** Provider responses are short; anything longer is cut, so a stored receipt stays small. */
const PROVIDER_RESPONSE_MAX = 300;

/** One SMS delivery-status line as SNS writes it (extra fields such as mcc, mnc, phoneCarrier pass through). */
export const smsDeliveryLogSchema = z.looseObject({
  notification: z.looseObject({
    messageId: z.string().min(1).max(128),
    timestamp: z.string().regex(SNS_TIMESTAMP, 'not a timestamp as SNS writes it (2016-06-28 00:40:34.558)'),
  }),
  delivery: z.looseObject({
    destination: z.string().min(1).max(40),
    priceInUSD: z.number().finite().min(0).max(100),
    providerResponse: z.string().max(4_000),
    smsType: z.string().max(40).optional(),
    dwellTimeMs: z.number().finite().min(0).optional(),
  }),
  status: z.enum(['SUCCESS', 'FAILURE']),
});
export type SmsDeliveryLog = z.infer<typeof smsDeliveryLogSchema>;

export const microUsd = (usd: number) => Math.round(usd * 1_000_000);

/** The receipt a delivery-status line stands for. */
export function receiptFromLog(log: SmsDeliveryLog): Receipt {
  const [, day, time] = SNS_TIMESTAMP.exec(log.notification.timestamp) ?? [];
  const reportedAt = new Date(`${day}T${time}Z`);
  return {
    messageId: log.notification.messageId,
    outcome: log.status === 'SUCCESS' ? 'delivered' : 'undelivered',
    reportedAt: Number.isNaN(reportedAt.getTime()) ? log.notification.timestamp : reportedAt.toISOString(),
    priceMicroUsd: microUsd(log.delivery.priceInUSD),
    // A carrier's message can quote the number: masked like any provider text.
    providerResponse: maskPhonesIn(log.delivery.providerResponse).slice(0, PROVIDER_RESPONSE_MAX),
    destination: maskPhone(log.delivery.destination, 'restricted'),
    ...(log.delivery.smsType ? { smsType: log.delivery.smsType } : {}),
    ...(log.delivery.dwellTimeMs !== undefined ? { dwellTimeMs: log.delivery.dwellTimeMs } : {}),
  };
}

/** The Lambda event a CloudWatch Logs subscription filter sends. */
export const cloudWatchLogsEventSchema = z.object({ awslogs: z.object({ data: z.string().min(1) }) });
export type CloudWatchLogsEvent = z.infer<typeof cloudWatchLogsEventSchema>;

/** `awslogs.data`, decoded. CONTROL_MESSAGE is CloudWatch checking the destination answers: no log events that matter. */
export const cloudWatchLogsDataSchema = z.looseObject({
  messageType: z.string(),
  owner: z.string().optional(),
  logGroup: z.string(),
  logStream: z.string().optional(),
  subscriptionFilters: z.array(z.string()).optional(),
  logEvents: z.array(z.looseObject({ id: z.string(), timestamp: z.number(), message: z.string() })),
});
export type CloudWatchLogsData = z.infer<typeof cloudWatchLogsDataSchema>;

const problemsOf = (error: z.ZodError, prefix: string): FieldProblem[] =>
  error.issues.map((issue) => ({ field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'), message: issue.message }));

/** A line the subscription delivered that is not an SMS delivery status: named, with why. */
export interface RejectedLine {
  id: string;
  problem: string;
}

export interface ParsedReceipts {
  logGroup: string;
  receipts: Receipt[];
  rejected: RejectedLine[];
}

/**
 * Reads a subscription event: the envelope must be right (else `Invalid`, naming the field); each
 * line is read on its own, so one bad line is named in `rejected` without losing the others.
 */
export function parseReceiptsEvent(event: unknown): ParsedReceipts {
  const envelope = cloudWatchLogsEventSchema.safeParse(event);
  if (!envelope.success) throw new Invalid('Not a CloudWatch Logs subscription event.', problemsOf(envelope.error, ''));
  let json: unknown;
  try {
    json = JSON.parse(gunzipSync(Buffer.from(envelope.data.awslogs.data, 'base64')).toString('utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Invalid('Not a CloudWatch Logs subscription event.', [{ field: 'awslogs.data', message: `not base64 of gzipped JSON (${reason})` }]);
  }
  const data = cloudWatchLogsDataSchema.safeParse(json);
  if (!data.success) throw new Invalid('Not a CloudWatch Logs subscription event.', problemsOf(data.error, 'awslogs.data'));
  if (data.data.messageType !== 'DATA_MESSAGE') return { logGroup: data.data.logGroup, receipts: [], rejected: [] };
  const receipts: Receipt[] = [];
  const rejected: RejectedLine[] = [];
  for (const line of data.data.logEvents) {
    const read = readLine(line.message);
    if ('problem' in read) rejected.push({ id: line.id, problem: read.problem });
    else receipts.push(read.receipt);
  }
  return { logGroup: data.data.logGroup, receipts, rejected };
}

function readLine(message: string): { receipt: Receipt } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return { problem: 'message: not JSON' };
  }
  const parsed = smsDeliveryLogSchema.safeParse(json);
  if (!parsed.success) return { problem: problemsOf(parsed.error, 'message').map((problem) => `${problem.field}: ${problem.message}`).join('; ') };
  return { receipt: receiptFromLog(parsed.data) };
}

/** SNS's timestamp format, for lines written locally. */
export const snsTimestamp = (at: Date) => at.toISOString().replace('T', ' ').replace('Z', '');

/** The log group SNS writes an outcome to. */
export const deliveryLogGroupName = (region: string, account: string, status: SmsDeliveryLog['status']) =>
  `sns/${region}/${account}/DirectPublishToPhoneNumber${status === 'FAILURE' ? '/Failure' : ''}`;

/** A subscription event as CloudWatch Logs sends it (local sink, tests): gzipped JSON, base64. */
export function cloudWatchLogsEvent(logGroup: string, lines: readonly SmsDeliveryLog[], at: Date, owner = '000000000000'): CloudWatchLogsEvent {
  const data: CloudWatchLogsData = {
    messageType: 'DATA_MESSAGE',
    owner,
    logGroup,
    logStream: lines[0]?.notification.messageId ?? 'local',
    subscriptionFilters: ['pufa-receipts'],
    logEvents: lines.map((line, index) => ({ id: `${at.getTime()}${String(index).padStart(6, '0')}`, timestamp: at.getTime(), message: JSON.stringify(line) })),
  };
  return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(data))).toString('base64') } };
}

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Invalid } from '../../functions/domain/errors.js';
import { cloudWatchLogsEvent, deliveryLogGroupName, parseReceiptsEvent, receiptFromLog, smsDeliveryLogSchema, type SmsDeliveryLog } from '../../functions/domain/receipt.js';
import { streakAfter, UNDELIVERED_STREAK_TO_CHECK } from '../../functions/domain/subscriber.js';
import { countsFrom, deliveryRate } from '../../functions/domain/delivery.js';

/** Lines as SNS writes them (the shape AWS documents, with the extra fields it adds: mcc, mnc, carrier). */
const success = {
  notification: { messageId: '34d9b400-c6dd-5444-820d-fbeb0f1f54cf', timestamp: '2031-03-15 01:00:34.558' },
  delivery: {
    phoneCarrier: 'China Mobile',
    mnc: 0,
    destination: '+8619900000001',
    priceInUSD: 0.00645,
    smsType: 'Transactional',
    mcc: 460,
    providerResponse: 'Message has been accepted by phone carrier',
    dwellTimeMs: 599,
    dwellTimeMsUntilDeviceAck: 1344,
  },
  status: 'SUCCESS',
};
const failure = {
  notification: { messageId: '1077257a-92f3-5ca3-bc97-6a915b310625', timestamp: '2031-03-15 01:00:34.559' },
  delivery: {
    mnc: 0,
    destination: '+8619900000002',
    priceInUSD: 0.00645,
    smsType: 'Transactional',
    mcc: 0,
    providerResponse: 'Phone is currently unreachable/unavailable: +8619900000002',
    dwellTimeMs: 1420,
    dwellTimeMsUntilDeviceAck: 1692,
  },
  status: 'FAILURE',
};

const eventOf = (logGroup: string, messages: string[]) => ({
  awslogs: {
    data: gzipSync(
      JSON.stringify({
        messageType: 'DATA_MESSAGE',
        owner: '123456789012',
        logGroup,
        logStream: 'stream',
        subscriptionFilters: ['receipts'],
        logEvents: messages.map((message, index) => ({ id: String(index), timestamp: 1_931_994_034_558, message })),
      }),
    ).toString('base64'),
  },
});

describe('a delivery-status line', () => {
  it('becomes a delivered receipt: UTC time, price in micro-USD, the number masked', () => {
    const receipt = receiptFromLog(smsDeliveryLogSchema.parse(success));
    expect(receipt).toEqual({
      messageId: '34d9b400-c6dd-5444-820d-fbeb0f1f54cf',
      outcome: 'delivered',
      reportedAt: '2031-03-15T01:00:34.558Z',
      priceMicroUsd: 6450,
      providerResponse: 'Message has been accepted by phone carrier',
      destination: '+86 *******0001',
      smsType: 'Transactional',
      dwellTimeMs: 599,
    });
  });

  it('becomes an undelivered receipt on FAILURE, keeping the provider response with any number in it masked', () => {
    const receipt = receiptFromLog(smsDeliveryLogSchema.parse(failure));
    expect(receipt.outcome).toBe('undelivered');
    expect(receipt.providerResponse).toBe('Phone is currently unreachable/unavailable: 861****02');
    expect(JSON.stringify(receipt)).not.toContain('19900000002');
  });
});

describe('a CloudWatch Logs subscription event', () => {
  it('is decoded (base64, gzip, JSON) into the receipts of its lines', () => {
    const parsed = parseReceiptsEvent(eventOf('sns/cn-north-1/123456789012/DirectPublishToPhoneNumber', [JSON.stringify(success), JSON.stringify(failure)]));
    expect(parsed.logGroup).toBe('sns/cn-north-1/123456789012/DirectPublishToPhoneNumber');
    expect(parsed.receipts.map((receipt) => receipt.outcome)).toEqual(['delivered', 'undelivered']);
    expect(parsed.rejected).toEqual([]);
  });

  it('round-trips through the builder the local sink uses', () => {
    const event = cloudWatchLogsEvent(deliveryLogGroupName('ap-southeast-1', '000000000000', 'FAILURE'), [failure as SmsDeliveryLog], new Date('2031-03-15T01:00:35Z'));
    const parsed = parseReceiptsEvent(JSON.parse(JSON.stringify(event)));
    expect(parsed.logGroup).toBe('sns/ap-southeast-1/000000000000/DirectPublishToPhoneNumber/Failure');
    expect(parsed.receipts).toHaveLength(1);
  });

  it('names each line that is not a delivery status, and keeps the good ones', () => {
    const parsed = parseReceiptsEvent(eventOf('g', ['not json', JSON.stringify({ ...success, status: 'MAYBE' }), JSON.stringify(success)]));
    expect(parsed.receipts).toHaveLength(1);
    expect(parsed.rejected).toEqual([
      { id: '0', problem: 'message: not JSON' },
      { id: '1', problem: expect.stringMatching(/^message\.status: /) },
    ]);
  });

  it('has no receipts in a control message (CloudWatch checking the destination)', () => {
    const data = gzipSync(JSON.stringify({ messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logEvents: [{ id: '', timestamp: 0, message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }] }));
    expect(parseReceiptsEvent({ awslogs: { data: data.toString('base64') } }).receipts).toEqual([]);
  });

  it.each([
    ['no awslogs', {}, 'awslogs'],
    ['data that is not gzip', { awslogs: { data: Buffer.from('{"a":1}').toString('base64') } }, 'awslogs.data'],
    ['gzip of JSON that is not a log batch', { awslogs: { data: gzipSync('{"logGroup":1}').toString('base64') } }, 'awslogs.data.messageType'],
  ])('is refused with a named problem: %s', (_name, event, field) => {
    let caught: unknown;
    try {
      parseReceiptsEvent(event);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Invalid);
    expect((caught as Invalid).fields.map((problem) => problem.field)).toContain(field);
  });
});

describe("a number's undelivered streak", () => {
  const now = new Date('2031-03-15T01:00:00Z');
  it(`flags the number at ${UNDELIVERED_STREAK_TO_CHECK} undelivered in a row, and a delivered one clears it`, () => {
    let state: { undeliveredStreak?: number; checkNumberSince?: string | undefined } = {};
    for (let count = 1; count < UNDELIVERED_STREAK_TO_CHECK; count += 1) {
      state = streakAfter(state, 'undelivered', now);
      expect(state.checkNumberSince).toBeUndefined();
    }
    state = streakAfter(state, 'undelivered', now);
    expect(state).toEqual({ undeliveredStreak: 3, checkNumberSince: now.toISOString() });
    expect(streakAfter(state, 'undelivered', new Date('2031-04-01T00:00:00Z')).checkNumberSince).toBe(now.toISOString());
    expect(streakAfter(state, 'delivered', now)).toEqual({ undeliveredStreak: 0, checkNumberSince: undefined });
  });
});

describe('delivery counts with receipts', () => {
  it('keep delivered SMS counted as sent, so pending is unchanged', () => {
    const counts = countsFrom({ total: 10, sent: 8, delivered: 6, undelivered: 1, costMicroUsd: 45_150, failed: 2 });
    expect(counts).toMatchObject({ pending: 0, sent: 8, delivered: 6, undelivered: 1, costMicroUsd: 45_150 });
    expect(deliveryRate(counts)).toBe(75);
    expect(deliveryRate(countsFrom({ total: 1, sent: 1 }))).toBeUndefined();
  });
});

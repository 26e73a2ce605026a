import { ListPhoneNumbersOptedOutCommand, PublishBatchCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/config.js';
import { notifierFromConfig } from '../../functions/notify/from-config.js';
import { classify, createSnsNotifier, NotifyError } from '../../functions/notify/sns.js';

const sns = mockClient(SNSClient);
afterEach(() => sns.reset());

const notifier = (options: Partial<Parameters<typeof createSnsNotifier>[1]> = {}) =>
  createSnsNotifier(new SNSClient({ region: 'cn-north-1' }), { stationTopicArn: 'arn:aws:sns:cn-north-1:1:stations', smsType: 'Transactional', ...options });

const aStation = (index: number) => ({ deliveryId: `c~n~0~sst-${index}`, county: 'c', stationId: `st-${index}`, villageId: `v-${index}`, townshipId: 't', body: `{"n":${index}}` });

describe('the SNS adapter', () => {
  it('publishes an SMS to the number with SMS type, sender id and origination number', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const result = await notifier({ senderId: 'PUFA', originationNumber: '+8610690000' }).sendSms({ deliveryId: 'd', phoneNumber: '+8619900000001', text: '【普法】你好回T退订' });
    expect(result).toEqual({ messageId: 'm-1' });
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input).toEqual({
      PhoneNumber: '+8619900000001',
      Message: '【普法】你好回T退订',
      MessageAttributes: {
        'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
        'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'PUFA' },
        'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: '+8610690000' },
      },
    });
  });

  it('leaves out sender id and origination number when they are not configured', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    await notifier({ smsType: 'Promotional' }).sendSms({ deliveryId: 'd', phoneNumber: '+8619900000001', text: 'x' });
    expect(Object.keys(sns.commandCalls(PublishCommand)[0]?.args[0].input.MessageAttributes ?? {})).toEqual(['AWS.SNS.SMS.SMSType']);
  });

  it('sends station scripts as one PublishBatch of up to ten, with routing attributes', async () => {
    sns.on(PublishBatchCommand).resolves({
      Successful: Array.from({ length: 9 }, (_, index) => ({ Id: `m${index}`, MessageId: `id-${index}` })),
      Failed: [{ Id: 'm9', Code: 'InternalError', Message: 'try again', SenderFault: false }],
    });
    const outcome = await notifier().publishToStations(Array.from({ length: 10 }, (_, index) => aStation(index)));
    const input = sns.commandCalls(PublishBatchCommand)[0]?.args[0].input;
    expect(input?.TopicArn).toBe('arn:aws:sns:cn-north-1:1:stations');
    expect(input?.PublishBatchRequestEntries).toHaveLength(10);
    expect(input?.PublishBatchRequestEntries?.[3]).toEqual({
      Id: 'm3',
      Message: '{"n":3}',
      MessageAttributes: {
        county: { DataType: 'String', StringValue: 'c' },
        station: { DataType: 'String', StringValue: 'st-3' },
        village: { DataType: 'String', StringValue: 'v-3' },
        township: { DataType: 'String', StringValue: 't' },
      },
    });
    expect(outcome.sent).toHaveLength(9);
    expect(outcome.failed).toEqual([{ deliveryId: 'c~n~0~sst-9', kind: 'transient', code: 'InternalError', message: 'try again' }]);
  });

  it('refuses more than ten entries rather than splitting silently', async () => {
    await expect(notifier().publishToStations(Array.from({ length: 11 }, (_, index) => aStation(index)))).rejects.toThrow(RangeError);
    expect(sns.commandCalls(PublishBatchCommand)).toHaveLength(0);
  });

  it('reports every entry of a batch SNS refused whole, and one it never answered', async () => {
    sns.on(PublishBatchCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' }));
    const throttled = await notifier().publishToStations([aStation(1), aStation(2)]);
    expect(throttled.failed.map((entry) => entry.kind)).toEqual(['throttled', 'throttled']);
    sns.on(PublishBatchCommand).resolves({ Successful: [{ Id: 'm0', MessageId: 'x' }], Failed: [] });
    const partial = await notifier().publishToStations([aStation(1), aStation(2)]);
    expect(partial.failed).toEqual([{ deliveryId: 'c~n~0~sst-2', kind: 'transient', code: 'NoAnswer', message: 'SNS did not report this entry' }]);
  });

  it('turns SDK errors into typed failures', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('bad number'), { name: 'InvalidParameterException' }));
    const error = await notifier().sendSms({ deliveryId: 'd', phoneNumber: '+1', text: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotifyError);
    expect(error).toMatchObject({ kind: 'permanent', code: 'InvalidParameterException' });
    expect(classify('Throttled')).toBe('throttled');
    expect(classify('InternalError')).toBe('transient');
    expect(classify('Whatever', true)).toBe('permanent');
  });

  it('pages through the opt-out list with nextToken', async () => {
    sns
      .on(ListPhoneNumbersOptedOutCommand)
      .resolvesOnce({ phoneNumbers: ['8619900000001', '8619900000002'], nextToken: 'page-2' })
      .resolvesOnce({ phoneNumbers: ['8619900000003'] });
    const numbers: string[] = [];
    for await (const number of notifier().optedOutNumbers()) numbers.push(number);
    expect(numbers).toEqual(['8619900000001', '8619900000002', '8619900000003']);
    expect(sns.commandCalls(ListPhoneNumbersOptedOutCommand)[1]?.args[0].input).toEqual({ nextToken: 'page-2' });
  });
});

describe('the notifier built from config', () => {
  /** The region of the client each command was sent through, by command name. */
  async function regionsUsed(env: Record<string, string>): Promise<Record<string, string>> {
    const regions: Record<string, string> = {};
    const record = (command: string) => async (_input: unknown, getClient: () => SNSClient) => {
      regions[command] = await getClient().config.region();
      return command === 'Publish' ? { MessageId: 'm' } : command === 'PublishBatch' ? { Successful: [{ Id: 'm0', MessageId: 'm' }] } : { phoneNumbers: [] };
    };
    sns.on(PublishCommand).callsFake(record('Publish'));
    sns.on(PublishBatchCommand).callsFake(record('PublishBatch'));
    sns.on(ListPhoneNumbersOptedOutCommand).callsFake(record('ListPhoneNumbersOptedOut'));
    const notifier = notifierFromConfig(loadConfig({ PUFA_TABLE_NAME: 'pufa', PUFA_STATION_TOPIC_ARN: 'arn:aws:sns:ap-east-1:1:stations', ...env }));
    await notifier.sendSms({ deliveryId: 'd', phoneNumber: '+8619900000001', text: '【普法】你好' });
    await notifier.publishToStations([aStation(0)]);
    for await (const _number of notifier.optedOutNumbers()) break;
    return regions;
  }

  it('sends SMS and reads the opt-out list in the SMS region, and station scripts in the stack region', async () => {
    expect(await regionsUsed({ AWS_REGION: 'ap-east-1', PUFA_SMS_REGION: 'ap-southeast-1' })).toEqual({
      Publish: 'ap-southeast-1',
      ListPhoneNumbersOptedOut: 'ap-southeast-1',
      PublishBatch: 'ap-east-1',
    });
  });

  it('uses the stack region for everything when no SMS region is set', async () => {
    expect(await regionsUsed({ AWS_REGION: 'ap-northeast-1' })).toEqual({
      Publish: 'ap-northeast-1',
      ListPhoneNumbersOptedOut: 'ap-northeast-1',
      PublishBatch: 'ap-northeast-1',
    });
  });
});

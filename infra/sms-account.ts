/**
 * @module infra/sms-account
 * SMS from a deployment that can send: which region SMS is published in (SNS sends none from AWS
 * China, so it may differ from the stack's), refused at synth when SMS could not go out from it;
 * the functions' SMS environment; and the account's SMS settings in that region, set by the stack
 * through SNS SetSMSAttributes rather than by clicks in the console: spend limit, default SMS type,
 * delivery-status logging (every SMS, success or failure, with its price) and default sender id.
 */
import { ArnFormat, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { AwsCustomResource, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { EXAMPLE_SMS_REGION, smsRegionProblem } from '../functions/notify/sms-regions.js';
import { LOG_RETENTION } from './node-function.js';

export interface SmsSettings {
  /** Region SMS is published in (context smsRegion); the stack's own region when unset. */
  region?: string | undefined;
  /** The account's monthly SMS spend limit in USD in that region (context smsMonthlySpendLimitUsd). */
  monthlySpendLimitUsd?: number | undefined;
  type?: 'Transactional' | 'Promotional' | undefined;
  /** Sender id, where the destination allows one (China does not). */
  senderId?: string | undefined;
  /** A number or short code of the account's to send from (PUFA_SMS_ORIGINATION_NUMBER). */
  originationNumber?: string | undefined;
  perSecond?: number | undefined;
  /** The default monthly SMS budget of a county, in yuan (PUFA_SMS_MONTHLY_BUDGET_YUAN; a county sets its own with PUT /sms-budget). */
  monthlyBudgetYuan?: number | undefined;
  /** Yuan per US dollar for the budget's arithmetic (PUFA_YUAN_PER_USD). */
  yuanPerUsd?: number | undefined;
}

/**
 * Whether SMS goes out in the stack's own region (smsRegion unset, or the same concrete region):
 * only then can the stack subscribe to SNS's delivery-status logs or alarm on SNS's SMS metrics,
 * which stay in the SMS region.
 */
export const publishesSmsInStackRegion = (stack: Stack, smsRegion: string | undefined): boolean => smsRegion === undefined || smsRegion === stack.region;

/** How a deployer sets the SMS region, for the error message. */
const SET_SMS_REGION = `Set the context value smsRegion (cdk deploy -c smsRegion=${EXAMPLE_SMS_REGION})`;

/** SNS writes SMS delivery status to these two log groups, created on the first SMS it logs. */
const deliveryLogGroupPrefix = (region: string, account: string) => `sns/${region}/${account}/DirectPublishToPhoneNumber`;

export class SmsAccount extends Construct {
  /** The SMS region when known at synth (set, or the stack's concrete region). */
  readonly region: string | undefined;
  /** What the functions need to publish SMS: PUFA_SMS_* variables. */
  readonly environment: Record<string, string>;
  /** The role SNS assumes to write delivery status to CloudWatch Logs in the SMS region. */
  readonly deliveryStatusRole: Role;
  /** The account settings SetSMSAttributes is called with. */
  readonly attributes: Record<string, string>;

  constructor(scope: Construct, id: string, settings: SmsSettings) {
    super(scope, id);
    const stack = Stack.of(this);
    const stackRegion = Token.isUnresolved(stack.region) ? undefined : stack.region;
    this.region = settings.region ?? stackRegion;
    // The same rule the functions apply at start (functions/config.ts), earlier: a stack that
    // would publish SMS where SNS sends none never deploys. An environment-agnostic synth (no
    // region known) leaves the check to the functions' start.
    const problem = this.region === undefined ? undefined : smsRegionProblem(this.region, stackRegion, SET_SMS_REGION);
    if (problem) throw new Error(problem);

    this.environment = {
      ...(settings.region ? { PUFA_SMS_REGION: settings.region } : {}),
      ...(settings.type ? { PUFA_SMS_TYPE: settings.type } : {}),
      ...(settings.senderId ? { PUFA_SMS_SENDER_ID: settings.senderId } : {}),
      ...(settings.originationNumber ? { PUFA_SMS_ORIGINATION_NUMBER: settings.originationNumber } : {}),
      ...(settings.perSecond ? { PUFA_SMS_PER_SECOND: String(settings.perSecond) } : {}),
      ...(settings.monthlyBudgetYuan !== undefined ? { PUFA_SMS_MONTHLY_BUDGET_YUAN: String(settings.monthlyBudgetYuan) } : {}),
      ...(settings.yuanPerUsd !== undefined ? { PUFA_YUAN_PER_USD: String(settings.yuanPerUsd) } : {}),
    };

    const smsRegion = this.region ?? stack.region;
    const deliveryLogs = stack.formatArn({
      service: 'logs',
      region: smsRegion,
      resource: 'log-group',
      // The success group, the failure group (".../Failure") and their streams.
      resourceName: `${deliveryLogGroupPrefix(smsRegion, stack.account)}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.deliveryStatusRole = new Role(this, 'DeliveryStatusRole', {
      assumedBy: new ServicePrincipal('sns.amazonaws.com'),
      description: 'pufa: lets SNS write SMS delivery status (each SMS, its outcome and price) to CloudWatch Logs',
    });
    this.deliveryStatusRole.addToPolicy(
      new PolicyStatement({
        sid: 'WriteSmsDeliveryStatus',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [deliveryLogs],
      }),
    );
    Validations.of(this.deliveryStatusRole).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${iamFindingResource(stack, deliveryLogs)}]`,
      reason:
        'SNS names its SMS delivery-status log groups itself, sns/<region>/<account>/DirectPublishToPhoneNumber and .../DirectPublishToPhoneNumber/Failure, and creates them on the first SMS it logs; the wildcard covers those two groups and their streams, in the SMS region and this account only.',
    });

    this.attributes = {
      DefaultSMSType: settings.type ?? 'Transactional',
      DeliveryStatusIAMRole: this.deliveryStatusRole.roleArn,
      // Every SMS that reached a phone is logged with its price, not a sample: the county's tallies
      // and the bill are checked against these lines.
      DeliveryStatusSuccessSamplingRate: '100',
      ...(settings.monthlySpendLimitUsd !== undefined ? { MonthlySpendLimit: String(settings.monthlySpendLimitUsd) } : {}),
      ...(settings.senderId ? { DefaultSenderID: settings.senderId } : {}),
    };

    // The provider function's own role and log group, so it neither takes the AWS managed
    // basic-execution policy (AwsSolutions-IAM4) nor keeps logs forever.
    const providerRole = new Role(this, 'SettingsFunctionRole', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    const providerLogs = new LogGroup(this, 'SettingsFunctionLogs', { retention: LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY });
    providerLogs.grantWrite(providerRole);
    // SetSMSAttributes acts on the account's settings in a region: SNS has no resource to name.
    providerRole.addToPolicy(new PolicyStatement({ sid: 'SetSmsAttributes', actions: ['sns:SetSMSAttributes'], resources: ['*'] }));
    // Naming the delivery-status role in the settings hands it to SNS, and to SNS only.
    providerRole.addToPolicy(
      new PolicyStatement({
        sid: 'PassDeliveryStatusRoleToSns',
        actions: ['iam:PassRole'],
        resources: [this.deliveryStatusRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'sns.amazonaws.com' } },
      }),
    );
    Validations.of(providerRole).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'SNS SetSMSAttributes changes account-level SMS settings and accepts only "*" as its resource; the statement names that one action, and the role belongs to the function that only applies these settings at deploy.',
    });

    // No onDelete: the settings belong to the account, not to this stack (README: tearing down).
    const setSmsAttributes = new AwsCustomResource(this, 'Settings', {
      resourceType: 'Custom::SmsAccountSettings',
      onUpdate: {
        service: 'SNS',
        action: 'SetSMSAttributes',
        ...(this.region ? { region: this.region } : {}),
        parameters: { attributes: this.attributes },
        physicalResourceId: PhysicalResourceId.of(`sms-account-settings-${smsRegion}`),
      },
      role: providerRole,
      logGroup: providerLogs,
      // The Lambda runtime's own SDK has SNS; installing the latest would fetch it from npm at deploy.
      installLatestAwsSdk: false,
    });
    setSmsAttributes.node.addDependency(this.deliveryStatusRole);
  }
}

/** A resource as cdk-nag prints it in an IAM5 finding: tokens as <AWS::Partition>, <AWS::AccountId>. */
function iamFindingResource(stack: Stack, arn: string): string {
  const resolved: unknown = stack.resolve(arn);
  const render = (part: unknown): string => {
    if (typeof part === 'string') return part;
    if (part && typeof part === 'object' && 'Ref' in part) return `<${String((part as { Ref: unknown }).Ref)}>`;
    throw new Error(`cannot render ${JSON.stringify(part)} as cdk-nag does`);
  };
  if (typeof resolved === 'string') return resolved;
  const join = (resolved as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) throw new Error(`cannot render ${JSON.stringify(resolved)} as cdk-nag does`);
  return join[1].map(render).join(join[0]);
}

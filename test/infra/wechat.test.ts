/**
 * @module test/infra/wechat
 * The WeChat official-account channel in the template (infra/wechat.ts, infra/wechat-egress.ts,
 * infra/article-images.ts): off by default, so an existing deployment synthesizes unchanged; on, a
 * retained secret only the API and dispatch functions may read (GetSecretValue, nothing else), and
 * the outputs a person needs in WeChat's console; with wechatEgress=nat, the two functions in
 * private subnets behind one NAT gateway with one Elastic IP. Bundling is skipped.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PufaStack, type PufaStackProps } from '../../infra/stack.js';

const synth = (id: string, props: Partial<PufaStackProps> = {}) =>
  Template.fromStack(new PufaStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), id, { county: 'tianquan', timeZone: 'Asia/Shanghai', ...props }));

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string; DependsOn?: string[] };
type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown };

const resourcesOf = (template: Template, type: string) => Object.entries(template.findResources(type)) as [string, Resource][];
/** pufa's function whose logical id starts with `prefix` ("ApiFunction", "DispatchFunction", "ReceiptsFunction"). */
const functionOf = (template: Template, prefix: string) => {
  const found = resourcesOf(template, 'AWS::Lambda::Function').filter(([id]) => new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id));
  expect(found).toHaveLength(1);
  const [entry] = found;
  if (!entry) throw new Error(`no ${prefix}`);
  return entry[1];
};
const variablesOf = (template: Template, prefix: string) => (functionOf(template, prefix).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
const statementsOfRole = (template: Template, roleId: string) =>
  resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(roleId))
    .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
const allStatements = (template: Template) =>
  resourcesOf(template, 'AWS::IAM::Policy').flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
const actionsOf = (statement: Statement) => [statement.Action].flat();
const PUFA_FUNCTIONS = ['ApiFunction', 'DispatchFunction'] as const;

describe('the WeChat channel, off (the default)', () => {
  let off: Template;
  beforeAll(() => {
    off = synth('PufaWeChatOff');
  });

  it('makes no WeChat secret, sets no PUFA_WECHAT_SECRET_ARN, and grants no other secret than the phone key', () => {
    expect(resourcesOf(off, 'AWS::SecretsManager::Secret').map(([id]) => id)).toEqual([expect.stringMatching(/^PhoneKeySecret/)]);
    for (const prefix of [...PUFA_FUNCTIONS, 'ReceiptsFunction']) expect(variablesOf(off, prefix)).not.toHaveProperty('PUFA_WECHAT_SECRET_ARN');
    const secretResources = allStatements(off)
      .filter((statement) => actionsOf(statement).some((action) => action.startsWith('secretsmanager:')))
      .map((statement) => JSON.stringify(statement.Resource));
    for (const resource of secretResources) expect(resource).toMatch(/PhoneKeySecret/);
  });

  it('builds no VPC, NAT gateway or Elastic IP, and keeps the functions out of any VPC', () => {
    for (const type of ['AWS::EC2::VPC', 'AWS::EC2::NatGateway', 'AWS::EC2::EIP', 'AWS::EC2::VPCEndpoint']) expect(resourcesOf(off, type)).toEqual([]);
    for (const prefix of PUFA_FUNCTIONS) expect(functionOf(off, prefix).Properties.VpcConfig).toBeUndefined();
    expect(JSON.stringify(allStatements(off))).not.toContain('ec2:');
  });

  it('has no WeChat outputs', () => {
    expect(Object.keys(off.findOutputs('*')).filter((name) => name.startsWith('WeChat'))).toEqual([]);
  });

  it('still lets the API keep article images under images/ and the dispatcher read them', () => {
    const bucketId = resourcesOf(off, 'AWS::S3::Bucket')[0]?.[0] ?? '';
    const images = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/images/*']] };
    expect(statementsOfRole(off, 'ApiFunctionRole').filter((statement) => JSON.stringify(statement.Resource).includes('/images/'))).toEqual([
      { Sid: 'KeepArticleImages', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: images },
    ]);
    expect(statementsOfRole(off, 'DispatchFunctionRole').filter((statement) => JSON.stringify(statement.Resource).includes('/images/'))).toEqual([
      { Sid: 'ReadArticleImages', Effect: 'Allow', Action: 's3:GetObject', Resource: images },
    ]);
    // The receipts function touches no bucket at all.
    expect(JSON.stringify(statementsOfRole(off, 'ReceiptsFunctionRole'))).not.toContain('s3:');
  });
});

describe('the WeChat channel, on', () => {
  let on: Template;
  let secretId: string;
  beforeAll(() => {
    on = synth('PufaWeChatOn', { wechat: {} });
    const secrets = resourcesOf(on, 'AWS::SecretsManager::Secret').filter(([id]) => id.startsWith('WeChatSecret'));
    expect(secrets).toHaveLength(1);
    secretId = secrets[0]?.[0] ?? '';
  });

  it('makes one retained secret whose placeholder has the three keys the functions read, the Token generated', () => {
    const [, secret] = resourcesOf(on, 'AWS::SecretsManager::Secret').find(([id]) => id === secretId) ?? [];
    expect(secret).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const generate = secret?.Properties.GenerateSecretString as { SecretStringTemplate: string; GenerateStringKey: string; PasswordLength: number; ExcludePunctuation: boolean };
    expect(JSON.parse(generate.SecretStringTemplate)).toEqual({ appId: 'set-me', appSecret: 'set-me' });
    // WeChat's Token is 3 to 32 letters and digits: the generated one can be pasted into its console as is.
    expect(generate).toMatchObject({ GenerateStringKey: 'callbackToken', PasswordLength: 32, ExcludePunctuation: true, IncludeSpace: false });
    // Nothing secret in the template itself.
    expect(secret?.Properties.SecretString).toBeUndefined();
  });

  it('gives the API and the dispatcher the secret ARN, and the receipts function nothing', () => {
    for (const prefix of PUFA_FUNCTIONS) expect(variablesOf(on, prefix).PUFA_WECHAT_SECRET_ARN).toEqual({ Ref: secretId });
    expect(variablesOf(on, 'ReceiptsFunction')).not.toHaveProperty('PUFA_WECHAT_SECRET_ARN');
  });

  it('lets the API and the dispatcher only GetSecretValue on that secret, and no one else touch it', () => {
    for (const role of ['ApiFunctionRole', 'DispatchFunctionRole']) {
      const onSecret = statementsOfRole(on, role).filter((statement) => JSON.stringify(statement.Resource).includes(secretId));
      expect(onSecret).toEqual([{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: secretId } }]);
    }
    const others = resourcesOf(on, 'AWS::IAM::Policy').filter(
      ([, policy]) => JSON.stringify(policy.Properties).includes(secretId) && !/ApiFunctionRole|DispatchFunctionRole/.test(JSON.stringify(policy.Properties.Roles)),
    );
    expect(others).toEqual([]);
    // No secret action beyond reading a value anywhere in the stack (the phone-key grant adds DescribeSecret).
    const secretActions = new Set(allStatements(on).flatMap(actionsOf).filter((action) => action.startsWith('secretsmanager:')));
    expect([...secretActions].sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
  });

  it("outputs the secret's name and the callback URL (the API's URL and /wechat/callback)", () => {
    const outputs = on.findOutputs('*') as Record<string, { Value: unknown }>;
    expect(JSON.stringify(outputs.WeChatSecretName?.Value)).toContain(secretId);
    expect(outputs.WeChatCallbackUrl?.Value).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^HttpApi/), 'ApiEndpoint'] }, '/wechat/callback']] });
    expect(outputs.WeChatEgressIp).toBeUndefined();
  });

  it('serves /wechat/callback through the default route: the HTTP API sends every path to the API function', () => {
    expect(resourcesOf(on, 'AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties.RouteKey)).toEqual(['$default']);
  });

  it('builds no VPC unless wechatEgress asks for one', () => {
    expect(resourcesOf(on, 'AWS::EC2::NatGateway')).toEqual([]);
    for (const prefix of PUFA_FUNCTIONS) expect(functionOf(on, prefix).Properties.VpcConfig).toBeUndefined();
  });
});

describe('the WeChat egress, wechatEgress=nat', () => {
  let nat: Template;
  beforeAll(() => {
    nat = synth('PufaWeChatNat', { wechat: { egress: 'nat' } });
  });

  const idsOf = (type: string) => resourcesOf(nat, type).map(([id]) => id);

  it('has one NAT gateway, in a public subnet, sending from the one Elastic IP', () => {
    const gateways = resourcesOf(nat, 'AWS::EC2::NatGateway');
    expect(gateways).toHaveLength(1);
    const [eip, ...otherEips] = idsOf('AWS::EC2::EIP');
    expect(otherEips).toEqual([]);
    expect(gateways[0]?.[1].Properties.AllocationId).toEqual({ 'Fn::GetAtt': [eip, 'AllocationId'] });
    const subnet = (gateways[0]?.[1].Properties.SubnetId as { Ref: string }).Ref;
    expect(resourcesOf(nat, 'AWS::EC2::Subnet').find(([id]) => id === subnet)?.[1].Properties.MapPublicIpOnLaunch).toBe(true);
  });

  it('puts the API and the dispatcher, and only them, in two private subnets in two AZs whose default route is the NAT gateway', () => {
    const [gatewayId] = idsOf('AWS::EC2::NatGateway');
    const subnets = new Map(resourcesOf(nat, 'AWS::EC2::Subnet'));
    const subnetIdsOf = (prefix: string) => ((functionOf(nat, prefix).Properties.VpcConfig as { SubnetIds: { Ref: string }[] }).SubnetIds ?? []).map((subnet) => subnet.Ref);
    const [apiSubnets, dispatchSubnets] = PUFA_FUNCTIONS.map(subnetIdsOf);
    expect(apiSubnets).toHaveLength(2);
    expect(dispatchSubnets).toEqual(apiSubnets);
    const zones = (apiSubnets ?? []).map((id) => JSON.stringify(subnets.get(id)?.Properties.AvailabilityZone));
    expect(new Set(zones).size).toBe(2);
    for (const id of apiSubnets ?? []) {
      expect(subnets.get(id)?.Properties.MapPublicIpOnLaunch).toBe(false);
      // The subnet's route table sends 0.0.0.0/0 to the NAT gateway, not to an internet gateway.
      const association = resourcesOf(nat, 'AWS::EC2::SubnetRouteTableAssociation').find(([, a]) => JSON.stringify(a.Properties.SubnetId) === JSON.stringify({ Ref: id }));
      const table = JSON.stringify(association?.[1].Properties.RouteTableId);
      const routes = resourcesOf(nat, 'AWS::EC2::Route').filter(([, route]) => JSON.stringify(route.Properties.RouteTableId) === table);
      expect(routes.map(([, route]) => [route.Properties.DestinationCidrBlock, route.Properties.NatGatewayId, route.Properties.GatewayId])).toEqual([
        ['0.0.0.0/0', { Ref: gatewayId }, undefined],
      ]);
    }
    expect(functionOf(nat, 'ReceiptsFunction').Properties.VpcConfig).toBeUndefined();
  });

  it('lets the functions out through a security group with no inbound rule', () => {
    const groups = resourcesOf(nat, 'AWS::EC2::SecurityGroup');
    expect(groups).toHaveLength(1);
    expect(groups[0]?.[1].Properties.SecurityGroupIngress).toBeUndefined();
    expect(resourcesOf(nat, 'AWS::EC2::SecurityGroupIngress')).toEqual([]);
    for (const prefix of PUFA_FUNCTIONS) {
      expect((functionOf(nat, prefix).Properties.VpcConfig as { SecurityGroupIds: unknown }).SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [groups[0]?.[0], 'GroupId'] }]);
    }
  });

  it("reaches DynamoDB and S3 through gateway endpoints on the functions' route tables, not through the NAT", () => {
    const endpoints = resourcesOf(nat, 'AWS::EC2::VPCEndpoint').map(([, endpoint]) => endpoint.Properties);
    expect(endpoints.map((endpoint) => endpoint.VpcEndpointType)).toEqual(['Gateway', 'Gateway']);
    const services = endpoints.map((endpoint) => JSON.stringify(endpoint.ServiceName));
    expect(services.some((service) => service.includes('.dynamodb'))).toBe(true);
    expect(services.some((service) => service.includes('.s3'))).toBe(true);
    const functionSubnets = (functionOf(nat, 'ApiFunction').Properties.VpcConfig as { SubnetIds: { Ref: string }[] }).SubnetIds.map((subnet) => JSON.stringify({ Ref: subnet.Ref }));
    const functionTables = resourcesOf(nat, 'AWS::EC2::SubnetRouteTableAssociation')
      .filter(([, association]) => functionSubnets.includes(JSON.stringify(association.Properties.SubnetId)))
      .map(([, association]) => JSON.stringify(association.Properties.RouteTableId))
      .sort();
    for (const endpoint of endpoints) expect((endpoint.RouteTableIds as unknown[]).map((table) => JSON.stringify(table)).sort()).toEqual(functionTables);
  });

  it('lets Lambda attach only the two functions to the VPC, before they are created', () => {
    for (const [prefix, role] of [
      ['ApiFunction', 'ApiFunctionRole'],
      ['DispatchFunction', 'DispatchFunctionRole'],
    ] as const) {
      const attach = statementsOfRole(nat, role).filter((statement) => actionsOf(statement).some((action) => action.startsWith('ec2:')));
      expect(attach).toEqual([
        {
          Sid: 'AttachToEgressVpc',
          Effect: 'Allow',
          Action: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
          Resource: '*',
        },
      ]);
      // The function waits for its role's policy: without it, Lambda refuses to create it in a VPC.
      expect(functionOf(nat, prefix).DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${role}DefaultPolicy`))]));
    }
    expect(JSON.stringify(statementsOfRole(nat, 'ReceiptsFunctionRole'))).not.toContain('ec2:');
    // No AWS managed policy (AWSLambdaVPCAccessExecutionRole) on any role.
    for (const [, role] of resourcesOf(nat, 'AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('outputs the Elastic IP for the IP allow-list, beside the secret and callback outputs', () => {
    const [eip] = idsOf('AWS::EC2::EIP');
    const outputs = nat.findOutputs('*') as Record<string, { Value: unknown; Description?: string }>;
    expect(outputs.WeChatEgressIp).toEqual({ Description: expect.stringContaining('IP白名单'), Value: { 'Fn::GetAtt': [eip, 'PublicIp'] } });
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['WeChatSecretName', 'WeChatCallbackUrl']));
  });

  it('logs the VPC’s traffic to a retained log group kept a year', () => {
    const [flowLog, ...others] = resourcesOf(nat, 'AWS::EC2::FlowLog');
    expect(others).toEqual([]);
    expect(flowLog?.[1].Properties).toMatchObject({ ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    const groupId = (flowLog?.[1].Properties.LogGroupName as { Ref: string }).Ref;
    expect(nat.findResources('AWS::Logs::LogGroup')[groupId]).toMatchObject({ DeletionPolicy: 'Retain', Properties: { RetentionInDays: 365 } });
  });
});

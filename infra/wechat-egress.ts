/**
 * @module infra/wechat-egress
 * A fixed address for calls to WeChat's API, built only with the context `wechatEgress=nat`:
 * WeChat answers an official account's API calls only from the addresses on its IP allow-list
 * (IP白名单), and Lambda's own egress has no fixed address. The API and dispatch functions then run
 * in the private subnets of a two-AZ VPC whose one NAT gateway goes out through one Elastic IP.
 * DynamoDB and S3 stay reachable through gateway endpoints, so table and bucket traffic neither
 * leaves the VPC nor pays the NAT's per-GB charge; SNS, Polly and Secrets Manager go through the NAT.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  CfnEIP,
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  NatProvider,
  SecurityGroup,
  SubnetType,
  Vpc,
  type SubnetSelection,
} from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LOG_RETENTION } from './node-function.js';

/**
 * What Lambda does with a function's execution role to attach it to the VPC (the actions of AWS's
 * AWSLambdaVPCAccessExecutionRole, which pufa's roles do not take: they hold no managed policy).
 */
const NETWORK_INTERFACE_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
] as const;

export class WeChatEgress extends Construct {
  readonly vpc: Vpc;
  /** The Elastic IP the NAT gateway sends from: the address for WeChat's IP allow-list. */
  readonly address: CfnEIP;
  /** Where the functions go: the private subnets, one security group with no inbound rule. */
  readonly functionNetwork: { vpc: Vpc; vpcSubnets: SubnetSelection; securityGroups: SecurityGroup[] };

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // One Elastic IP made here, not by the VPC, so its output can name it; the NAT gateway uses it.
    this.address = new CfnEIP(this, 'Address', { domain: 'vpc' });
    // Two AZs so Lambda can place the functions in either; one NAT gateway, since one address is
    // the point (a NAT gateway per AZ would be two addresses and twice the hourly charge). If its
    // AZ fails, the other AZ's functions lose the internet until it is back; DynamoDB and S3 stay.
    this.vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      natGatewayProvider: NatProvider.gateway({ eipAllocationIds: [this.address.attrAllocationId] }),
      subnetConfiguration: [
        { name: 'Public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'Functions', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
      ],
    });
    const functionSubnets = { subnetType: SubnetType.PRIVATE_WITH_EGRESS };
    this.vpc.addGatewayEndpoint('DynamoDbEndpoint', { service: GatewayVpcEndpointAwsService.DYNAMODB, subnets: [functionSubnets] });
    this.vpc.addGatewayEndpoint('S3Endpoint', { service: GatewayVpcEndpointAwsService.S3, subnets: [functionSubnets] });
    // Flow logs, kept a year like the functions' logs: which address a call left from and where it
    // went, when WeChat says a call came from an address not on its list.
    const flowLogs = new LogGroup(this, 'FlowLogs', { retention: LOG_RETENTION, removalPolicy: RemovalPolicy.RETAIN });
    this.vpc.addFlowLog('FlowLog', { destination: FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: FlowLogTrafficType.ALL });

    const securityGroup = new SecurityGroup(this, 'FunctionsSecurityGroup', {
      vpc: this.vpc,
      description: 'pufa API and dispatch functions: no inbound, outbound to AWS and WeChat',
      allowAllOutbound: true,
    });
    this.functionNetwork = { vpc: this.vpc, vpcSubnets: functionSubnets, securityGroups: [securityGroup] };
  }

  /** Let Lambda attach a function with this role to the VPC's subnets. */
  grantNetworkInterfaces(role: IRole): void {
    role.addToPrincipalPolicy(new PolicyStatement({ sid: 'AttachToEgressVpc', actions: [...NETWORK_INTERFACE_ACTIONS], resources: ['*'] }));
    Validations.of(role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'Lambda attaches a function to its VPC with the execution role before any network interface exists, and the Describe actions take no resource: these are the actions of AWSLambdaVPCAccessExecutionRole on "*", written out because pufa\'s roles hold no managed policy.',
    });
  }
}

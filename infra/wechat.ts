/**
 * @module infra/wechat
 * The WeChat official-account (微信公众号) channel, built when the context `wechat` is on: the
 * secret that holds the account's AppID, AppSecret and server-configuration Token, read by the API
 * (which answers WeChat's callback) and the dispatcher (which publishes), and nothing more. The
 * callback route needs no gateway route of its own: the HTTP API sends every path to the API
 * function. A fixed egress address for WeChat's IP allow-list is infra/wechat-egress.ts.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface WeChatSettings {
  /**
   * How the functions reach WeChat's API: 'default' (Lambda's own egress, no fixed address) or
   * 'nat' (the API and dispatch functions in a VPC behind one NAT gateway with an Elastic IP, the
   * address to put on the account's IP allow-list; infra/wechat-egress.ts).
   */
  egress?: 'default' | 'nat' | undefined;
}

/** The secret's value until someone pastes in the account's: the functions read these three keys. */
const PLACEHOLDER = { appId: 'set-me', appSecret: 'set-me' } as const;

export class WeChat extends Construct {
  readonly secret: Secret;
  /** PUFA_WECHAT_SECRET_ARN, for the functions that call WeChat or answer it. */
  readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Retained like the phone-key secret: it holds what a person copied from WeChat's console, and
    // destroying the stack should not lose it. Secrets Manager generates one value per secret: the
    // Token, which the county chooses (WeChat takes 3 to 32 letters and digits), is generated; the
    // AppID and AppSecret come from WeChat and stay "set-me" until someone puts them in (README).
    this.secret = new Secret(this, 'Secret', {
      description: 'pufa: the WeChat official account (JSON: appId, appSecret, callbackToken); put in the AppID and AppSecret from the 公众号 console',
      generateSecretString: {
        secretStringTemplate: JSON.stringify(PLACEHOLDER),
        generateStringKey: 'callbackToken',
        passwordLength: 32,
        excludePunctuation: true,
        includeSpace: false,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        "Not rotated by Secrets Manager: the AppSecret is reset in WeChat's console (设置与开发 → 基本配置) and pasted in, and the Token must change in that console and here together; no rotation Lambda can do either.",
    });
    this.environment = { PUFA_WECHAT_SECRET_ARN: this.secret.secretArn };
  }

  /** GetSecretValue on this secret, and nothing else (no DescribeSecret, no other secret). */
  grantSecretRead(grantee: IGrantable): void {
    Grant.addToPrincipal({ grantee, actions: ['secretsmanager:GetSecretValue'], resourceArns: [this.secret.secretArn] });
  }
}

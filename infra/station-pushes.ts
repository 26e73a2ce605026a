/**
 * @module infra/station-pushes
 * What the API function needs to keep stations' push subscriptions on the station topic
 * (functions/notify/station-subscriptions.ts): Subscribe (https endpoints only) and
 * ListSubscriptionsByTopic on that topic; and Unsubscribe, GetSubscriptionAttributes and
 * SetSubscriptionAttributes, which SNS authorizes on no resource type at all (its Service
 * Authorization Reference lists none for them), so they can only be granted on "*".
 */
import { Validations } from 'aws-cdk-lib';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { ITopic } from 'aws-cdk-lib/aws-sns';

export function grantStationSubscriptions(topic: ITopic, role: IRole): void {
  role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'SubscribeStationEndpoints',
      actions: ['sns:Subscribe', 'sns:ListSubscriptionsByTopic'],
      resources: [topic.topicArn],
    }),
  );
  role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'FollowStationSubscriptions',
      actions: ['sns:Unsubscribe', 'sns:GetSubscriptionAttributes', 'sns:SetSubscriptionAttributes'],
      resources: ['*'],
    }),
  );
  Validations.of(role).acknowledge({
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    reason:
      'SNS authorizes Unsubscribe, GetSubscriptionAttributes and SetSubscriptionAttributes on no resource type, so "*" is the only resource they take; the statement names only those three, and only the API function (which keeps stations\' push subscriptions) has it.',
  });
}

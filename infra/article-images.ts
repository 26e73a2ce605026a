/**
 * @module infra/article-images
 * Images for WeChat articles, kept in the audio bucket (infra/speech.ts) under images/: the API
 * uploads and reads them, the dispatcher reads them (to upload them to WeChat when it makes a
 * draft). Granted whether or not the WeChat channel is on: an image is uploaded before anything
 * is sent anywhere.
 */
import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { Bucket } from 'aws-cdk-lib/aws-s3';

/** The key prefix of article images in the bucket; functions/ names the same prefix. */
export const IMAGE_PREFIX = 'images/';

/** Read and upload article images (the API). */
export function grantImageReadWrite(bucket: Bucket, role: IRole): void {
  role.addToPrincipalPolicy(new PolicyStatement({ sid: 'KeepArticleImages', actions: ['s3:GetObject', 's3:PutObject'], resources: [bucket.arnForObjects(`${IMAGE_PREFIX}*`)] }));
  acknowledgeImageObjects(bucket, role);
}

/** Read article images (the dispatcher, and anything that only passes them on). */
export function grantImageRead(bucket: Bucket, role: IRole): void {
  role.addToPrincipalPolicy(new PolicyStatement({ sid: 'ReadArticleImages', actions: ['s3:GetObject'], resources: [bucket.arnForObjects(`${IMAGE_PREFIX}*`)] }));
  acknowledgeImageObjects(bucket, role);
}

function acknowledgeImageObjects(bucket: Bucket, role: IRole): void {
  const resource = bucket.node.defaultChild;
  if (!(resource instanceof CfnElement)) throw new Error(`${bucket.node.path} has no CloudFormation resource`);
  const logicalId = Stack.of(bucket).getLogicalId(resource);
  Validations.of(role).acknowledge({
    id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${IMAGE_PREFIX}*]`,
    reason:
      "Article images are uploaded by county staff and named when they are uploaded, unknown at deploy time: the wildcard covers this bucket's images/ prefix and nothing else (not the audio/ recordings).",
  });
}

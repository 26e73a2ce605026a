/**
 * @module infra/evidence
 * Activities' evidence (photos, sign-in sheets; functions/evidence/), kept in the audio bucket
 * (infra/speech.ts): browsers upload straight to it with presigned POSTs under `evidence-incoming/`
 * (a CORS rule lets the app's pages do that; uploads never confirmed are removed after a day), and
 * the API checks each upload, copies it under `evidence/`, writes thumbnails there, hands out
 * presigned GETs and deletes. Only the API is granted any of it.
 */
import { CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { HttpMethods, type Bucket } from 'aws-cdk-lib/aws-s3';

/** The key prefixes; functions/domain/evidence.ts (`evidenceKeys`) names the same. */
export const EVIDENCE_PREFIX = 'evidence/';
export const EVIDENCE_UPLOAD_PREFIX = 'evidence-incoming/';

/**
 * Lets `origins` (the pages' own origin, and any other the deployment allows) POST uploads to the
 * bucket, expires unconfirmed uploads, and grants the API what the evidence store sends: the
 * presigned POST is signed with its PutObject on uploads; confirming reads an upload (GetObject),
 * copies it (GetObject on the source, PutObject on the target) and deletes it; thumbnails are put,
 * files are read through presigned GETs and deleted with their evidence.
 */
export function keepEvidence(bucket: Bucket, api: IRole, origins: readonly string[]): void {
  bucket.addCorsRule({
    id: 'EvidenceUploadsFromThePages',
    allowedMethods: [HttpMethods.POST],
    allowedOrigins: [...origins],
    allowedHeaders: ['*'],
    maxAge: 600,
  });
  bucket.addLifecycleRule({
    id: 'ExpireUnconfirmedEvidenceUploads',
    prefix: EVIDENCE_UPLOAD_PREFIX,
    expiration: Duration.days(1),
  });
  api.addToPrincipalPolicy(
    new PolicyStatement({ sid: 'ReceiveEvidenceUploads', actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], resources: [bucket.arnForObjects(`${EVIDENCE_UPLOAD_PREFIX}*`)] }),
  );
  api.addToPrincipalPolicy(new PolicyStatement({ sid: 'KeepEvidence', actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], resources: [bucket.arnForObjects(`${EVIDENCE_PREFIX}*`)] }));

  const resource = bucket.node.defaultChild;
  if (!(resource instanceof CfnElement)) throw new Error(`${bucket.node.path} has no CloudFormation resource`);
  const logicalId = Stack.of(bucket).getLogicalId(resource);
  for (const prefix of [EVIDENCE_UPLOAD_PREFIX, EVIDENCE_PREFIX]) {
    Validations.of(api).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${prefix}*]`,
      reason: `Evidence files are named by county, activity and an id made when staff upload them, unknown at deploy time: the wildcard covers this bucket's ${prefix} prefix and nothing else.`,
    });
  }
}

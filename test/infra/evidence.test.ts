/**
 * @module test/infra/evidence
 * Activities' evidence in the template (infra/evidence.ts): the audio bucket lets the pages' origin
 * POST uploads (CORS), expires uploads never confirmed, and only the API may put, read and delete
 * objects under evidence-incoming/ and evidence/. Bundling is skipped.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PufaStack } from '../../infra/stack.js';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown };

let template: Template;
beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  template = Template.fromStack(new PufaStack(app, 'PufaEvidence', { county: 'tianquan', timeZone: 'Asia/Shanghai', corsOrigins: 'https://pufa.example.gov.cn' }));
});

const resourcesOf = (type: string) => Object.entries(template.findResources(type)) as [string, Resource][];
const statementsOfRole = (roleId: string) =>
  resourcesOf('AWS::IAM::Policy')
    .filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(roleId))
    .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);

describe('evidence uploads in the stack', () => {
  it('let the pages’ origin (the HTTP API’s endpoint) and the allowed origins POST to the bucket, and expire unconfirmed uploads after a day', () => {
    const buckets = resourcesOf('AWS::S3::Bucket');
    expect(buckets).toHaveLength(1);
    const Properties: Record<string, unknown> = buckets[0]?.[1].Properties ?? {};
    const [apiId] = resourcesOf('AWS::ApiGatewayV2::Api').map(([id]) => id);
    expect(Properties.CorsConfiguration).toEqual({
      CorsRules: [
        {
          Id: 'EvidenceUploadsFromThePages',
          AllowedMethods: ['POST'],
          AllowedHeaders: ['*'],
          AllowedOrigins: [{ 'Fn::GetAtt': [apiId, 'ApiEndpoint'] }, 'https://pufa.example.gov.cn'],
          MaxAge: 600,
        },
      ],
    });
    expect((Properties.LifecycleConfiguration as { Rules: unknown[] }).Rules).toContainEqual({ Id: 'ExpireUnconfirmedEvidenceUploads', Prefix: 'evidence-incoming/', ExpirationInDays: 1, Status: 'Enabled' });
  });

  it('grant the API put, get and delete under evidence-incoming/ and evidence/ only, and the other functions nothing of it', () => {
    const [bucketId] = resourcesOf('AWS::S3::Bucket').map(([id]) => id);
    const objects = (prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${prefix}*`]] });
    const onEvidence = (roleId: string) => statementsOfRole(roleId).filter((statement) => JSON.stringify(statement.Resource).includes('/evidence'));
    expect(onEvidence('ApiFunctionRole')).toEqual([
      { Sid: 'ReceiveEvidenceUploads', Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], Resource: objects('evidence-incoming/') },
      { Sid: 'KeepEvidence', Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], Resource: objects('evidence/') },
    ]);
    for (const other of ['DispatchFunctionRole', 'ReceiptsFunctionRole']) expect(onEvidence(other)).toEqual([]);
  });
});

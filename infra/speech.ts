/**
 * @module infra/speech
 * Notices' loudspeaker audio (issue 14): the bucket the MP3s are kept in, the region Amazon Polly
 * is called in (refused at synth where Polly is not offered), the functions' speech environment,
 * and the grants: the API synthesizes and keeps audio (Polly, S3 read/write under audio/), the
 * functions that hand stations links presign them (S3 read under audio/).
 */
import { Aws, CfnCondition, CfnElement, Fn, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CHINA_POLLY_REGION, defaultTtsRegion, ttsRegionProblem } from '../functions/speech/polly-regions.js';
import { AUDIO_PREFIX } from '../functions/speech/s3-audio-store.js';

export interface SpeechSettings {
  /** Region Polly is called in (context ttsRegion); by default the stack's, or Ningxia for a stack in AWS China. */
  ttsRegion?: string | undefined;
}

/** How a deployer sets the TTS region, for the error message. */
const SET_TTS_REGION = `Set the context value ttsRegion (cdk deploy -c ttsRegion=${CHINA_POLLY_REGION} in AWS China, or a Polly region of the stack's partition)`;

export class Speech extends Construct {
  readonly bucket: Bucket;
  /** The TTS region: a region name, or, for an environment-agnostic synth, a CloudFormation expression. */
  readonly ttsRegion: string;
  /** PUFA_AUDIO_BUCKET and PUFA_TTS_REGION, for the functions that synthesize or presign. */
  readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, settings: SpeechSettings) {
    super(scope, id);
    const stack = Stack.of(this);
    const stackRegion = Token.isUnresolved(stack.region) ? undefined : stack.region;

    this.ttsRegion = this.chooseTtsRegion(settings.ttsRegion, stackRegion);

    // Retained like the table: the audio a reviewer approved is what stations air, and a
    // notice's key (a hash of its script) keeps naming it. S3-managed keys, as the table uses
    // AWS-owned ones: no key policy to keep. Content-addressed objects never change, so no versions.
    this.bucket = new Bucket(this, 'AudioBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: false,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason:
        'No server access logs: the bucket is private, only the API and dispatch roles reach it, and every link to an object is handed out by the API, whose own logs say who asked for which notice; CloudTrail records the roles\' writes.',
    });

    this.environment = { PUFA_AUDIO_BUCKET: this.bucket.bucketName, PUFA_TTS_REGION: this.ttsRegion };
  }

  /**
   * Polly's region: the one set, checked; else the stack's own where Polly is offered, Ningxia for
   * a stack in AWS China; a region known to lack Polly stops the synth. An environment-agnostic
   * synth cannot check: it picks Ningxia in the aws-cn partition and the deployment's region elsewhere.
   */
  private chooseTtsRegion(ttsRegion: string | undefined, stackRegion: string | undefined): string {
    if (ttsRegion !== undefined) {
      const problem = ttsRegionProblem(ttsRegion, stackRegion);
      if (problem) throw new Error(`Invalid CDK context "ttsRegion": ${problem}`);
      return ttsRegion;
    }
    if (stackRegion !== undefined) {
      const chosen = defaultTtsRegion(stackRegion);
      if (!chosen) throw new Error(`Amazon Polly is not offered in the stack's region ${stackRegion}. ${SET_TTS_REGION}.`);
      return chosen;
    }
    const inChina = new CfnCondition(this, 'InChina', { expression: Fn.conditionEquals(Aws.PARTITION, 'aws-cn') });
    return Fn.conditionIf(inChina.logicalId, CHINA_POLLY_REGION, Aws.REGION).toString();
  }

  /** SynthesizeSpeech in any region: Polly authorizes it on no resource (only lexicons have ARNs). */
  grantSynthesize(role: IRole): void {
    role.addToPrincipalPolicy(new PolicyStatement({ sid: 'SynthesizeNoticeSpeech', actions: ['polly:SynthesizeSpeech'], resources: ['*'] }));
    Validations.of(role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'Polly authorizes SynthesizeSpeech on "*" (its permissions reference names no resource for it unless a lexicon is used, and pufa uses none); the statement names that one read-only action.',
    });
  }

  /**
   * Read and write audio objects, and tell a missing one: HeadObject answers 404 for a missing key
   * only to a caller that may list the bucket (else 403), so `has` needs s3:ListBucket too.
   */
  grantAudioReadWrite(role: IRole): void {
    role.addToPrincipalPolicy(new PolicyStatement({ sid: 'KeepNoticeAudio', actions: ['s3:GetObject', 's3:PutObject'], resources: [this.audioObjects()] }));
    role.addToPrincipalPolicy(new PolicyStatement({ sid: 'FindNoticeAudio', actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
    this.acknowledgeAudioObjects(role);
  }

  /** Read audio objects: what signing a GetObject link needs (the link acts with the signer's rights). */
  grantAudioRead(role: IRole): void {
    role.addToPrincipalPolicy(new PolicyStatement({ sid: 'LinkNoticeAudio', actions: ['s3:GetObject'], resources: [this.audioObjects()] }));
    this.acknowledgeAudioObjects(role);
  }

  private audioObjects(): string {
    return this.bucket.arnForObjects(`${AUDIO_PREFIX}*`);
  }

  private acknowledgeAudioObjects(role: IRole): void {
    const resource = this.bucket.node.defaultChild;
    if (!(resource instanceof CfnElement)) throw new Error(`${this.bucket.node.path} has no CloudFormation resource`);
    const logicalId = Stack.of(this).getLogicalId(resource);
    Validations.of(role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${AUDIO_PREFIX}*]`,
      reason:
        "Audio objects are named by a SHA-256 of their script (functions/speech/audio-store.ts), unknown until synthesis: the wildcard covers this bucket's audio/ prefix and nothing else.",
    });
  }
}

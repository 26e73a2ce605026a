/**
 * @module infra/node-function
 * How pufa builds a Lambda function, the one piece the stack repeats: the handler bundled with
 * esbuild by infra/bundle-handler.ts (the pinned AWS SDK inside, lazily used code in chunks), on
 * the current Node runtime on arm64, with a role and a log group of its own. The constructs are made directly in the stack's scope, so their logical
 * ids read "ApiFunction…", "DispatchFunctionLogs…" as before.
 */
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime, type FunctionProps } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { bundleHandlerSync } from './bundle-handler.js';

/**
 * The runtime both functions run on. cdk-nag (AwsSolutions-L1) wants the latest Node runtime the
 * installed aws-cdk-lib knows: when an upgrade brings a newer one, move this line and
 * LAMBDA_NODE_MAJOR in infra/bundling.ts (the bundle target and the Node the tests use) to it.
 */
const RUNTIME = Runtime.NODEJS_24_X;

/** Logs are kept a year: long enough to answer "was this notice sent?" after a campaign season. */
export const LOG_RETENTION = RetentionDays.ONE_YEAR;

const FUNCTIONS_DIR = fileURLToPath(new URL('../functions', import.meta.url));
const handlerEntry = (name: string) => fileURLToPath(new URL(`../functions/handlers/${name}.ts`, import.meta.url));

/** A function with its own role and log group. */
export interface ServiceFunction {
  fn: LambdaFunction;
  /** Starts with leave to write to `logGroup` and nothing else; the stack grants the rest. */
  role: Role;
  logGroup: LogGroup;
}

/**
 * The function for `functions/handlers/<handler>.ts`. Its role replaces the AWS managed
 * basic-execution policy, which may write to every log group in the account (and which
 * AwsSolutions-IAM4 rejects): this one may write to the function's own log group only.
 */
export function nodeFunction(stack: Stack, id: string, handler: string, props: Partial<FunctionProps>): ServiceFunction {
  const role = new Role(stack, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  const logGroup = new LogGroup(stack, `${id}Logs`, { retention: LOG_RETENTION, removalPolicy: RemovalPolicy.RETAIN });
  logGroup.grantWrite(role);
  const entry = handlerEntry(handler);
  const fn = new LambdaFunction(stack, id, {
    // Built by esbuild through infra/bundle-handler.ts, the settings of infra/bundling.ts: the same
    // build the cold-start bench and the Node-24 tests import. NodejsFunction cannot split code
    // into chunks (it writes one file), hence local bundling; no Docker is ever used.
    code: Code.fromAsset(FUNCTIONS_DIR, {
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Never run (local bundling always succeeds), but part of CDK's bundling cache key: the
        // handler's name here keeps the two functions from sharing one bundle.
        image: DockerImage.fromRegistry('scratch'),
        command: ['bundle', handler],
        local: {
          tryBundle(outputDir) {
            bundleHandlerSync(entry, outputDir);
            return true;
          },
        },
      },
    }),
    handler: 'index.handler',
    runtime: RUNTIME,
    architecture: Architecture.ARM_64,
    role,
    logGroup,
    ...props,
  });
  return { fn, role, logGroup };
}

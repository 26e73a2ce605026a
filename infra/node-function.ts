/**
 * @module infra/node-function
 * How pufa builds a Lambda function, the one piece the stack repeats: the handler bundled with
 * esbuild with the settings of infra/bundling.ts (the pinned AWS SDK inside), on the current Node runtime on arm64, with a role and a
 * log group of its own. The constructs are made directly in the stack's scope, so their logical
 * ids read "ApiFunction…", "DispatchFunctionLogs…" as before.
 */
import { fileURLToPath } from 'node:url';
import { RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { HANDLER_BUNDLING } from './bundling.js';

/**
 * The runtime both functions run on. cdk-nag (AwsSolutions-L1) wants the latest Node runtime the
 * installed aws-cdk-lib knows: when an upgrade brings a newer one, move this line and
 * LAMBDA_NODE_MAJOR in infra/bundling.ts (the bundle target and the Node the tests use) to it.
 */
const RUNTIME = Runtime.NODEJS_24_X;

/** Logs are kept a year: long enough to answer "was this notice sent?" after a campaign season. */
export const LOG_RETENTION = RetentionDays.ONE_YEAR;

const handlerEntry = (name: string) => fileURLToPath(new URL(`../functions/handlers/${name}.ts`, import.meta.url));

/** A function with its own role and log group. */
export interface ServiceFunction {
  fn: NodejsFunction;
  /** Starts with leave to write to `logGroup` and nothing else; the stack grants the rest. */
  role: Role;
  logGroup: LogGroup;
}

/**
 * The function for `functions/handlers/<handler>.ts`. Its role replaces the AWS managed
 * basic-execution policy, which may write to every log group in the account (and which
 * AwsSolutions-IAM4 rejects): this one may write to the function's own log group only.
 */
export function nodeFunction(stack: Stack, id: string, handler: string, props: Partial<NodejsFunctionProps>): ServiceFunction {
  const role = new Role(stack, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  const logGroup = new LogGroup(stack, `${id}Logs`, { retention: LOG_RETENTION, removalPolicy: RemovalPolicy.RETAIN });
  logGroup.grantWrite(role);
  const fn = new NodejsFunction(stack, id, {
    entry: handlerEntry(handler),
    handler: 'handler',
    runtime: RUNTIME,
    architecture: Architecture.ARM_64,
    role,
    logGroup,
    bundling: {
      format: OutputFormat.ESM,
      minify: HANDLER_BUNDLING.minify,
      sourceMap: HANDLER_BUNDLING.sourcemap,
      keepNames: HANDLER_BUNDLING.keepNames,
      target: HANDLER_BUNDLING.target,
      mainFields: [...HANDLER_BUNDLING.mainFields],
      esbuildArgs: Object.fromEntries(Object.entries(HANDLER_BUNDLING.alias).map(([from, to]) => [`--alias:${from}`, to])),
      // Bundle the pinned AWS SDK instead of using the runtime's copy: the code tested is the code deployed.
      externalModules: [],
      banner: HANDLER_BUNDLING.banner,
    },
    ...props,
  });
  return { fn, role, logGroup };
}

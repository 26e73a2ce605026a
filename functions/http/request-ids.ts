/**
 * @module http/request-ids
 * The ids that tie a request's lines in the function's log to the other logs of the same request:
 * API Gateway's request id (`requestId` in the HTTP API's access log, `$context.requestId`, also
 * the `apigw-requestid` response header) and Lambda's `awsRequestId` (on Lambda's own START, END
 * and REPORT lines, and `integrationRequestId` in the access log). hono/aws-lambda hands the
 * event and the Lambda context to the app as `c.env`; locally (@hono/node-server) there are none.
 */

export interface LambdaRequestIds {
  /** API Gateway's id for the request: `event.requestContext.requestId`. */
  apiRequestId?: string;
  /** Lambda's id for the invocation: `context.awsRequestId`. */
  awsRequestId?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const stringAt = (value: unknown, key: string): string | undefined => {
  const field = isRecord(value) ? value[key] : undefined;
  return typeof field === 'string' && field !== '' ? field : undefined;
};

/** The ids in what hono/aws-lambda passes as `c.env` (`{ event, requestContext, lambdaContext }`); none elsewhere. */
export function lambdaRequestIds(env: unknown): LambdaRequestIds {
  if (!isRecord(env)) return {};
  const apiRequestId = stringAt(env.requestContext, 'requestId');
  const awsRequestId = stringAt(env.lambdaContext, 'awsRequestId');
  return { ...(apiRequestId ? { apiRequestId } : {}), ...(awsRequestId ? { awsRequestId } : {}) };
}

/** The fields a handler binds to its logger for one invocation: Lambda's request id, when it has one. */
export function invocationLogFields(context: { awsRequestId?: string } | undefined): { awsRequestId?: string } {
  return context?.awsRequestId ? { awsRequestId: context.awsRequestId } : {};
}

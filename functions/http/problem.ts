/**
 * @module http/problem
 * Every failure leaves as `application/problem+json` (RFC 9457): type, title, status, detail,
 * the request id, and for invalid input the failing fields. Stack traces stay in the log.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { DomainError, Invalid, OwnContent, Unavailable, type ErrorKind, type FieldProblem } from '../domain/errors.js';
import { errorFields, type Logger } from './logger.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The problem types pufa answers with; `/docs` lists them under these anchors. */
export const problemTypes = {
  invalid: { status: 400, title: '请求内容有误' },
  'malformed-json': { status: 400, title: '请求体不是有效的 JSON' },
  unauthenticated: { status: 401, title: '需要有效的访问令牌' },
  forbidden: { status: 403, title: '当前角色无权执行此操作' },
  'own-content': { status: 403, title: '不能审核本人撰写、修改或提交的内容，须由其他审核人员审核' },
  'not-found': { status: 404, title: '未找到' },
  'method-not-allowed': { status: 405, title: '不支持此请求方法' },
  conflict: { status: 409, title: '状态冲突' },
  'payload-too-large': { status: 413, title: '请求体过大' },
  'unsupported-media-type': { status: 415, title: '不支持的内容类型' },
  internal: { status: 500, title: '服务器内部错误' },
  unavailable: { status: 503, title: '依赖服务暂不可用' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemType = keyof typeof problemTypes;

/** Retry-After for a 503 whose cause named no wait of its own. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
  errors?: FieldProblem[];
}

const kindToType: Record<ErrorKind, ProblemType> = {
  invalid: 'invalid',
  unauthenticated: 'unauthenticated',
  forbidden: 'forbidden',
  'not-found': 'not-found',
  conflict: 'conflict',
  unavailable: 'unavailable',
};

export function problemUri(type: ProblemType): string {
  return `/docs#problem-${type}`;
}

export function problemResponse(
  c: Context,
  type: ProblemType,
  detail: string,
  extra: { errors?: FieldProblem[]; current?: Record<string, unknown>; retryAfterSeconds?: number } = {},
): Response {
  const { status, title } = problemTypes[type];
  const { retryAfterSeconds, ...fields } = extra;
  const body: Problem = {
    type: problemUri(type),
    title,
    status,
    detail,
    instance: new URL(c.req.url).pathname,
    requestId: c.get('requestId') ?? '',
    ...fields,
  };
  const headers: Record<string, string> = { 'Content-Type': PROBLEM_CONTENT_TYPE };
  if (status === 401) headers['WWW-Authenticate'] = 'Bearer realm="pufa", error="invalid_token"';
  // A 503 always says when to ask again (RFC 9110 §10.2.3).
  if (status === 503) headers['Retry-After'] = String(retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS);
  return c.body(JSON.stringify(body), status as ContentfulStatusCode, headers);
}

/** Field problems from a zod error, each path prefixed with where the value came from. */
export function fieldProblems(error: ZodError, source: string): FieldProblem[] {
  return error.issues.map((issue) => ({
    field: [source, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

const validationSources: Record<string, string> = {
  json: 'body',
  form: 'body',
  query: 'query',
  param: 'path',
  header: 'header',
  cookie: 'cookie',
};

export function invalidFromZod(error: ZodError, target: string): Invalid {
  const source = validationSources[target] ?? target;
  return new Invalid(`The request's ${source} is not valid.`, fieldProblems(error, source));
}

/** The app's one error handler: maps whatever was thrown to a problem and logs it once. */
export function handleError(error: unknown, c: Context, logger: Logger): Response {
  if (error instanceof DomainError) {
    if (error.kind === 'unavailable') logger.error('dependency unavailable', { requestId: c.get('requestId'), ...errorFields(error) });
    // A refusal with its own reason gets its own title: "your role may not" would mislead a reviewer.
    return problemResponse(c, error instanceof OwnContent ? 'own-content' : kindToType[error.kind], error.message, {
      ...(error instanceof Invalid ? { errors: error.fields } : {}),
      ...('current' in error && error.current ? { current: error.current as Record<string, unknown> } : {}),
      ...(error instanceof Unavailable ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    });
  }
  if (error instanceof HTTPException) {
    return fromHttpException(error, c);
  }
  logger.error('unhandled error', { requestId: c.get('requestId'), ...errorFields(error) });
  return problemResponse(c, 'internal', 'Something went wrong on our side; the request id helps find it in the log.');
}

function fromHttpException(error: HTTPException, c: Context): Response {
  switch (error.status) {
    case 400:
      return /json/i.test(error.message)
        ? problemResponse(c, 'malformed-json', 'The request body could not be parsed as JSON.')
        : problemResponse(c, 'invalid', error.message || 'The request is not valid.');
    case 401:
      return problemResponse(c, 'unauthenticated', error.message || 'An access token is needed.');
    case 403:
      return problemResponse(c, 'forbidden', error.message || 'Not allowed.');
    case 404:
      return problemResponse(c, 'not-found', error.message || 'Not found.');
    case 413:
      return problemResponse(c, 'payload-too-large', error.message || 'The request body is too large.');
    case 415:
      return problemResponse(c, 'unsupported-media-type', error.message || 'Send application/json.');
    default:
      return problemResponse(c, 'internal', 'Something went wrong on our side; the request id helps find it in the log.');
  }
}

import {
  AppError,
  ERROR_CATALOGUE,
  type ErrorCode,
  type FieldIssue,
  formatErrorDetail,
  type Language,
  negotiateLanguage,
} from '@mydata/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';

/** RFC 9457 problem details, extended with our stable code, the request id and field issues. */
export const Problem = Type.Object(
  {
    type: Type.String({ description: 'URI identifying the problem type; resolvable for a description' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String({ description: 'What happened and what to do, for a person' }),
    instance: Type.String(),
    code: Type.String({ description: 'Stable machine-readable code; branch on this, never on text' }),
    requestId: Type.String(),
    errors: Type.Optional(
      Type.Array(Type.Object({ pointer: Type.String(), message: Type.String() }), {
        description: 'Each field that is wrong, located by a JSON Pointer into the request',
      }),
    ),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: ErrorCode;
  requestId: string;
  errors?: FieldIssue[];
}

/**
 * When a refused client may try again (RFC 9110 Retry-After), from the error's `retryAfterSeconds`
 * or `until` param, so clients back off without parsing the text.
 */
function retryAfterSeconds(error: AppError): number | undefined {
  if (error.status !== 429 && error.status !== 503) return undefined;
  const { retryAfterSeconds: seconds, until } = error.params;
  if (typeof seconds === 'number' && Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const untilMs = typeof until === 'string' ? Date.parse(until) : Number.NaN;
  if (Number.isFinite(untilMs)) return Math.max(0, Math.ceil((untilMs - Date.now()) / 1000));
  return undefined;
}

/** Answers with the problem document for an error, in the language the client prefers; `extra` adds members (RFC 9457 extensions). */
export function replyWithProblem(
  reply: FastifyReply,
  error: AppError,
  publicUrl: string,
  extra: Record<string, unknown> = {},
) {
  const request = reply.request;
  const lang: Language = negotiateLanguage(request.headers['accept-language']);
  const def = ERROR_CATALOGUE[error.code];
  const body: ProblemBody = {
    type: `${publicUrl}/problems/${error.code}`,
    title: def.title[lang],
    status: error.status,
    detail: formatErrorDetail(error.code, { requestId: request.id, ...error.params }, lang),
    instance: request.url.split('?')[0] ?? request.url,
    code: error.code,
    requestId: request.id,
    ...(error.issues ? { errors: error.issues } : {}),
  };
  const retryAfter = retryAfterSeconds(error);
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
  return reply
    .code(error.status)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .header('content-language', lang)
    .send({ ...extra, ...body });
}

type ValidationContext = 'body' | 'querystring' | 'params' | 'headers';
interface ValidationEntry {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

function validationIssues(error: FastifyError): FieldIssue[] {
  const context = ((error as { validationContext?: ValidationContext }).validationContext ??
    'body') as string;
  const where = context === 'querystring' ? 'query' : context;
  return ((error.validation ?? []) as ValidationEntry[]).map((v) => {
    const extra = v.keyword === 'additionalProperties' ? String(v.params.additionalProperty) : undefined;
    const missing = v.keyword === 'required' ? String(v.params.missingProperty) : undefined;
    const path = `/${where}${v.instancePath}${extra ? `/${extra}` : ''}${missing ? `/${missing}` : ''}`;
    const message = extra
      ? 'unknown field; remove it'
      : v.keyword === 'enum'
        ? `must be one of: ${(v.params.allowedValues as unknown[]).join(', ')}`
        : (v.message ?? 'is not valid');
    return { pointer: path, message };
  });
}

/** Turns whatever was thrown (our errors, Fastify's, anything else) into one of our coded errors. */
export function toAppError(error: unknown, request: FastifyRequest, bodyLimit: number): AppError {
  if (error instanceof AppError) return error;
  const fe = error as FastifyError;
  if (fe.validation) {
    const issues = validationIssues(fe);
    const summary = issues
      .slice(0, 3)
      .map((i) => `${i.pointer} ${i.message}`)
      .join('; ');
    return new AppError('request.invalid', { summary }, issues);
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('request.malformed-json', { reason: fe.message });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('request.body-too-large', { limit: bodyLimit });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('request.unsupported-media-type', {
        contentType: request.headers['content-type'] ?? '(none)',
      });
  }
  if (error instanceof SyntaxError && fe.statusCode === 400) {
    return new AppError('request.malformed-json', { reason: fe.message });
  }
  return new AppError('server.internal', { requestId: request.id });
}

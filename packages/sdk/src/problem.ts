import type { ErrorCode, FieldIssue } from '@mydata/core';

/** An error answer from the platform (RFC 9457 problem details), with its stable code. */
export class MyDataProblem extends Error {
  readonly status: number;
  readonly code: ErrorCode | string;
  readonly detail: string;
  readonly requestId: string | undefined;
  readonly errors: FieldIssue[];
  /** Members of the problem beyond the standard ones (e.g. `progress` of transfer.package-not-ready). */
  readonly extensions: Record<string, unknown>;

  constructor(
    body: {
      status?: number;
      code?: string;
      title?: string;
      detail?: string;
      requestId?: string;
      errors?: FieldIssue[];
    },
    status: number,
  ) {
    super(body.detail ?? body.title ?? `HTTP ${status}`);
    this.name = 'MyDataProblem';
    this.status = body.status ?? status;
    this.code = body.code ?? 'unknown';
    this.detail = body.detail ?? '';
    this.requestId = body.requestId;
    this.errors = body.errors ?? [];
    const {
      status: _s,
      code: _c,
      title: _t,
      detail: _d,
      requestId: _r,
      errors: _e,
      ...rest
    } = body as Record<string, unknown>;
    this.extensions = rest;
  }
}

/** Reads a response: JSON on success, a MyDataProblem thrown on any error answer. */
export async function readJson<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    throw new MyDataProblem(
      typeof body === 'object' && body !== null
        ? (body as Record<string, never>)
        : { detail: text.slice(0, 200) },
      res.status,
    );
  }
  if (body === undefined)
    throw new MyDataProblem({ detail: 'the platform answered with no JSON body' }, res.status);
  return body as T;
}

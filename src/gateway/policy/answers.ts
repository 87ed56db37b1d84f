/**
 * return-response and mock-response: the gateway answers in the backend's place and nothing after
 * the policy runs (Azure cancels the pipeline). In outbound or on-error the answer replaces the
 * one about to leave.
 *
 * mock-response answers its status with its content type and an empty body: Azure would take the
 * operation's example (or schema) for that status and content type, but Tollgate's operations hold
 * no examples yet, and Azure itself answers an empty body when there is none.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { MockResponseElement, ReturnResponseElement } from '../../domain/policy/types.js';
import { compileExpr } from './expressions.js';
import type { Answer, Exchange } from './exchange.js';
import { compileAnswerHeader } from './headers.js';

export type MakeAnswer = (x: Exchange) => Answer;

export function compileReturnResponse(e: ReturnResponseElement): MakeAnswer {
  const status = e.status?.code ?? 200;
  const reason = e.status?.reason;
  const headers = e.headers.map(compileAnswerHeader);
  const body = e.body ? compileExpr(e.body) : () => '';
  return (x) => {
    const head: { status: number; headers: OutgoingHttpHeaders } = { status, headers: {} };
    for (const h of headers) h(x, head);
    return { status, ...(reason !== undefined ? { reason } : {}), headers: head.headers, body: body(x) };
  };
}

export function compileMockResponse(e: MockResponseElement): MakeAnswer {
  const { statusCode, contentType } = e;
  return () => ({ status: statusCode, headers: contentType ? { 'content-type': contentType } : {}, body: '' });
}

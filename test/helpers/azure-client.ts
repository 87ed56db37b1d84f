/**
 * Microsoft's own management SDK (`@azure/arm-apimanagement`) pointed at a test server, so that
 * integration tests check wire compatibility with a real Azure client rather than with our own
 * reading of the specification.
 *
 * The SDK authenticates with `bearerTokenAuthenticationPolicy`, which refuses plain http and asks a
 * TokenCredential for an AAD token. Tollgate takes `Authorization: Bearer <management key>`, so that
 * policy is replaced by one that sends the server's key.
 */
import { expect } from 'vitest';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import {
  bearerTokenAuthenticationPolicyName,
  isRestError,
  type PipelinePolicy,
  type RestError,
  type PipelineRequest,
  type SendRequest,
} from '@azure/core-rest-pipeline';
import { SUBSCRIPTION_ID, type TestServer } from './server.js';

export const MANAGEMENT_KEY_POLICY_NAME = 'tollgateManagementKeyPolicy';

/** Never asked for a token (its policy is removed); present because the client requires one. */
const dummyCredential: TokenCredential = {
  async getToken(): Promise<AccessToken> {
    return { token: 'unused-dummy-token', expiresOnTimestamp: Date.now() + 60 * 60 * 1000 };
  },
};

/** Sends `Authorization: Bearer <key>` on every request. */
export function managementKeyPolicy(key: string): PipelinePolicy {
  return {
    name: MANAGEMENT_KEY_POLICY_NAME,
    sendRequest(request: PipelineRequest, next: SendRequest) {
      request.headers.set('Authorization', `Bearer ${key}`);
      return next(request);
    },
  };
}

export interface AzureClientOptions {
  /** Overrides the key sent (e.g. an invalid one, to test 401). Defaults to server.key. */
  key?: string;
  /** Another api-version than the SDK's own 2024-05-01 (the SDK then rewrites it on every request). */
  apiVersion?: string;
}

export function createAzureClient(server: TestServer, options: AzureClientOptions = {}): ApiManagementClient {
  const client = new ApiManagementClient(dummyCredential, SUBSCRIPTION_ID, {
    endpoint: server.url,
    allowInsecureConnection: true,
    // A failing test should fail at once, not after the SDK's exponential back-off.
    retryOptions: { maxRetries: 0 },
    ...(options.apiVersion !== undefined ? { apiVersion: options.apiVersion } : {}),
  });
  client.pipeline.removePolicy({ name: bearerTokenAuthenticationPolicyName });
  client.pipeline.addPolicy(managementKeyPolicy(options.key ?? server.key));
  return client;
}

/** Everything an SDK pager yields (it follows nextLink until the server sends an empty one). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** What `captureResponse` saw of the raw HTTP response (the SDK's results hide the status code). */
export interface Captured {
  status: number;
  headers: Record<string, string>;
  body: string | undefined;
}

/** The part of core-client's FullOperationResponse that `captureResponse` reads. */
export interface RawResponse {
  status: number;
  headers: { toJSON(): Record<string, string> };
  bodyAsText?: string | null;
}

/** Pass `onResponse` in an SDK call's options; `captured` then holds that call's raw response. */
export function captureResponse(): { captured: Captured; onResponse: (raw: RawResponse) => void } {
  const captured: Captured = { status: 0, headers: {}, body: undefined };
  return {
    captured,
    onResponse(raw) {
      captured.status = raw.status;
      captured.headers = raw.headers.toJSON();
      captured.body = raw.bodyAsText ?? undefined;
    },
  };
}

/**
 * Records every response body and header set the client receives, error responses included (to
 * prove secrets never leave). It runs in the Sign phase, nearest the wire, so that it sees each
 * response before the SDK's deserialization turns an error status into a thrown RestError.
 */
export function recordResponses(client: ApiManagementClient): { bodies: string[]; headers: string[] } {
  const record = { bodies: [] as string[], headers: [] as string[] };
  const recorder: PipelinePolicy = {
    name: 'tollgateResponseRecorder',
    async sendRequest(request, next) {
      const response = await next(request);
      record.bodies.push(response.bodyAsText ?? '');
      record.headers.push(JSON.stringify(response.headers.toJSON()));
      return response;
    },
  };
  client.pipeline.addPolicy(recorder, { phase: 'Sign' });
  return record;
}

/** The RestError an SDK call fails with (anything else, or success, fails the test). */
export async function restError(promise: Promise<unknown>): Promise<RestError> {
  try {
    await promise;
  } catch (error) {
    if (isRestError(error)) return error;
    throw error;
  }
  throw new Error('expected the SDK call to fail with a RestError, but it succeeded');
}

/** Asserts that the call fails with one of `statuses`; returns the error for further checks. */
export async function expectStatus(promise: Promise<unknown>, ...statuses: number[]): Promise<RestError> {
  const error = await restError(promise);
  expect(statuses, `status ${error.statusCode}: ${error.message}`).toContain(error.statusCode);
  return error;
}

/**
 * Every policy element the gateway enforces, by name, and the names of Azure's other policies, so
 * that refusing one of those can say it is Azure's but not enforced rather than unknown.
 */
import { ACCESS_RULES } from './access.js';
import { CORS_RULES } from './cors.js';
import { HEADER_RULES } from './headers.js';
import { JWT_RULES } from './jwt.js';
import { LIMIT_RULES } from './limits.js';
import { RESPONSE_RULES } from './responses.js';
import { ROUTING_RULES } from './routing.js';
import type { AnyElementRule } from './rule.js';

const ALL: readonly AnyElementRule[] = [...LIMIT_RULES, ...ACCESS_RULES, ...HEADER_RULES, ...ROUTING_RULES, ...RESPONSE_RULES, ...CORS_RULES, ...JWT_RULES];

export const ELEMENT_RULES: ReadonlyMap<string, AnyElementRule> = new Map(ALL.map((r) => [r.name, r]));

/** Azure API Management policies (its policy reference) that Tollgate's gateway does not enforce. */
export const AZURE_ONLY_POLICIES: ReadonlySet<string> = new Set([
  'authentication-basic',
  'authentication-certificate',
  'authentication-managed-identity',
  'azure-openai-emit-token-metric',
  'azure-openai-semantic-cache-lookup',
  'azure-openai-semantic-cache-store',
  'azure-openai-token-limit',
  'cache-lookup',
  'cache-lookup-value',
  'cache-remove-value',
  'cache-store',
  'cache-store-value',
  'choose',
  'cross-domain',
  'emit-metric',
  'find-and-replace',
  'get-authorization-context',
  'include-fragment',
  'invoke-dapr-binding',
  'json-to-xml',
  'jsonp',
  'limit-concurrency',
  'llm-content-safety',
  'llm-emit-token-metric',
  'llm-semantic-cache-lookup',
  'llm-semantic-cache-store',
  'llm-token-limit',
  'log-to-eventhub',
  'proxy',
  'publish-to-dapr',
  'redirect-content-urls',
  'retry',
  'send-one-way-request',
  'send-request',
  'set-body',
  'set-method',
  'set-status',
  'set-variable',
  'trace',
  'validate-azure-ad-token',
  'validate-client-certificate',
  'validate-content',
  'validate-graphql-request',
  'validate-headers',
  'validate-odata-request',
  'validate-parameters',
  'validate-status-code',
  'wait',
  'xml-to-json',
  'xsl-transform',
]);

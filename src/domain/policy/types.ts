/**
 * A policy document as the gateway enforces it: Azure API Management's policy XML, parsed and
 * checked once (src/domain/policy/parse.ts), so that nothing is parsed per request. Only what the
 * gateway enforces can be represented; the parser refuses everything else.
 */

export type PolicyScope = 'global' | 'product' | 'api' | 'operation';

export const SECTIONS = ['inbound', 'backend', 'outbound', 'on-error'] as const;
export type SectionName = (typeof SECTIONS)[number];

/** Where an element starts in the document as written (1-based, as the XML parser reports it). */
export interface SourcePosition {
  line: number;
  column: number;
}

// ---- Expressions -------------------------------------------------------------------------------

/** The context values an expression may read (Azure's C# `context.…` properties). */
export type ContextValue =
  | 'subscription.id'
  | 'subscription.key'
  | 'user.id'
  | 'request.ip'
  | 'request.method'
  | 'api.id'
  | 'operation.id'
  | 'product.id';

export type ExprPart =
  | { kind: 'text'; value: string }
  | { kind: 'context'; value: ContextValue }
  /** `context.Request.Headers.GetValueOrDefault("name", "fallback")`; `name` lower-cased. */
  | { kind: 'header'; name: string; fallback: string };

/**
 * A string-valued attribute or text: literal text (one `text` part), or `@(…)` made of context
 * values, header reads and string literals joined with `+`. Evaluated by concatenating the parts
 * (a missing value, such as the product of a call without one, is the empty string).
 */
export interface Expr {
  parts: readonly ExprPart[];
}

/** A boolean `@(…)` expression: `increment-condition`. */
export type Condition =
  | { kind: 'const'; value: boolean }
  | { kind: 'status'; op: '==' | '!=' | '<' | '<=' | '>' | '>='; value: number }
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; operand: Condition };

// ---- Elements ----------------------------------------------------------------------------------

interface Positioned {
  at: SourcePosition;
  /**
   * The element as written in its document (before `{{named value}}` substitution, so no secret
   * shows), for the composed policy's read-only view; set on the elements of a section.
   */
  source?: string;
}

/** `<base />`: where the enclosing scope's section runs. */
export interface BaseElement extends Positioned {
  kind: 'base';
}

/** Header names the limit policies may add to the answer. */
export interface LimitHeaders {
  retryAfterHeaderName: string;
  remainingCallsHeaderName?: string;
  totalCallsHeaderName?: string;
}

/** A limit on one API or operation inside `rate-limit` / `quota` (`<api>` / `<operation>`). */
export interface LimitTarget {
  /** Matches the API's (or operation's) id when `id` is given, else its display name. */
  name?: string;
  id?: string;
  calls?: number;
  /** Kilobytes (quota only). */
  bandwidthKb?: number;
  renewalPeriodSeconds: number;
}

export interface ApiLimit extends LimitTarget {
  operations: readonly LimitTarget[];
}

/** Per subscription, sliding window. */
export interface RateLimitElement extends Positioned, LimitHeaders {
  kind: 'rate-limit';
  calls: number;
  renewalPeriodSeconds: number;
  apis: readonly ApiLimit[];
}

export interface RateLimitByKeyElement extends Positioned, LimitHeaders {
  kind: 'rate-limit-by-key';
  calls: number;
  renewalPeriodSeconds: number;
  counterKey: Expr;
  incrementCondition?: Condition;
  incrementCount: number;
}

/** Per subscription, fixed windows from the subscription's start; `renewalPeriodSeconds` 0 = never renews. */
export interface QuotaElement extends Positioned {
  kind: 'quota';
  calls?: number;
  bandwidthKb?: number;
  renewalPeriodSeconds: number;
  apis: readonly ApiLimit[];
}

export interface QuotaByKeyElement extends Positioned {
  kind: 'quota-by-key';
  calls?: number;
  bandwidthKb?: number;
  renewalPeriodSeconds: number;
  counterKey: Expr;
  incrementCondition?: Condition;
  /** Epoch ms the windows count from (Azure's default 0001-01-01T00:00:00Z). */
  firstPeriodStart: number;
}

export interface IpFilterElement extends Positioned {
  kind: 'ip-filter';
  action: 'allow' | 'forbid';
  /** Normalised textual addresses (IPv4 dotted, IPv6 lower-case full form is up to the parser). */
  addresses: readonly string[];
  ranges: readonly { from: string; to: string }[];
}

export interface CheckHeaderElement extends Positioned {
  kind: 'check-header';
  /** Lower-cased. */
  name: string;
  failedCheckHttpCode: number;
  failedCheckErrorMessage: string;
  ignoreCase: boolean;
  /** Empty: the header need only be present. */
  values: readonly string[];
}

export type ExistsAction = 'override' | 'skip' | 'append' | 'delete';

export interface SetHeaderElement extends Positioned {
  kind: 'set-header';
  /** As written (answers keep the case); compared ignoring case. */
  name: string;
  existsAction: ExistsAction;
  values: readonly Expr[];
}

export interface SetQueryParameterElement extends Positioned {
  kind: 'set-query-parameter';
  name: string;
  existsAction: ExistsAction;
  values: readonly Expr[];
}

export interface RewriteUriElement extends Positioned {
  kind: 'rewrite-uri';
  /** A URL template relative to the backend's base URL, `{param}`s from the operation's template. */
  template: string;
  copyUnmatchedParams: boolean;
}

export interface SetBackendServiceElement extends Positioned {
  kind: 'set-backend-service';
  /** Absolute http(s) URL. */
  baseUrl: string;
}

export interface ReturnResponseElement extends Positioned {
  kind: 'return-response';
  status?: { code: number; reason?: string };
  headers: readonly SetHeaderElement[];
  body?: Expr;
}

export interface MockResponseElement extends Positioned {
  kind: 'mock-response';
  statusCode: number;
  contentType: string;
}

export interface CorsElement extends Positioned {
  kind: 'cors';
  allowCredentials: boolean;
  terminateUnmatchedRequest: boolean;
  /** '*' for any. */
  allowedOrigins: readonly string[];
  /** Upper-case; '*' for any. */
  allowedMethods: readonly string[];
  preflightResultMaxAge?: number;
  /** Lower-case; '*' for any. */
  allowedHeaders: readonly string[];
  exposeHeaders: readonly string[];
}

export type JwtSigningKey =
  | { kind: 'symmetric'; base64: string }
  | { kind: 'rsa'; n: string; e: string; id?: string }
  | { kind: 'certificate'; pem: string; id?: string };

export interface RequiredClaim {
  name: string;
  match: 'all' | 'any';
  separator?: string;
  values: readonly string[];
}

export interface ValidateJwtElement extends Positioned {
  kind: 'validate-jwt';
  /** Exactly one of the three token sources. */
  headerName?: string;
  queryParameterName?: string;
  tokenValue?: Expr;
  failedValidationHttpCode: number;
  failedValidationErrorMessage: string;
  requireExpirationTime: boolean;
  requireScheme?: string;
  requireSignedTokens: boolean;
  clockSkewSeconds: number;
  openIdConfigUrls: readonly string[];
  signingKeys: readonly JwtSigningKey[];
  audiences: readonly string[];
  issuers: readonly string[];
  requiredClaims: readonly RequiredClaim[];
}

export interface ForwardRequestElement extends Positioned {
  kind: 'forward-request';
  /** Azure's default is 300 s. */
  timeoutSeconds: number;
}

export type PolicyElement =
  | BaseElement
  | RateLimitElement
  | RateLimitByKeyElement
  | QuotaElement
  | QuotaByKeyElement
  | IpFilterElement
  | CheckHeaderElement
  | SetHeaderElement
  | SetQueryParameterElement
  | RewriteUriElement
  | SetBackendServiceElement
  | ReturnResponseElement
  | MockResponseElement
  | CorsElement
  | ValidateJwtElement
  | ForwardRequestElement;

export type PolicyKind = PolicyElement['kind'];

/**
 * A parsed, checked document of one scope. A section absent from the XML is its scope's default:
 * `<base />` below global, Azure's default section at global (parse.ts absentSection).
 */
export interface PolicyDocument {
  scope: PolicyScope;
  sections: Readonly<Record<SectionName, readonly PolicyElement[]>>;
}

// ---- Composition -------------------------------------------------------------------------------

/** Which document an element of a composed policy came from: limits count per origin. */
export interface PolicyOrigin {
  scope: PolicyScope;
  /** '' for global, the product id, the API id, or `{apiId}/{operationId}`. */
  id: string;
}

export type PlacedElement = Exclude<PolicyElement, BaseElement> & { origin: PolicyOrigin };

/** The policy one call runs: every scope's sections flattened where `<base />` stood. */
export interface EffectivePolicy {
  sections: Readonly<Record<SectionName, readonly PlacedElement[]>>;
}

// ---- Errors ------------------------------------------------------------------------------------

/** One thing wrong with a document, where it is. */
export interface PolicyProblem {
  /** The element (or 'policies' for the document itself). */
  element: string;
  line: number;
  column: number;
  message: string;
}

export type ParseResult = { ok: true; document: PolicyDocument } | { ok: false; problems: readonly PolicyProblem[] };

/** Named values by display name (compared ignoring case); undefined: no such named value. */
export type NamedValueLookup = (displayName: string) => string | undefined;

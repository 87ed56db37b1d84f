/**
 * Limits in words for the developer portal: what Starter promises, periods and volumes in the
 * largest unit that fits, keyed limits saying who shares a counter.
 */
import { describe, expect, it } from 'vitest';
import { STARTER_POLICY_XML } from '../../src/domain/policy/defaults.js';
import { describeLimits, describePeriod } from '../../src/domain/policy/describe.js';
import { composePolicy } from '../../src/domain/policy/compose.js';
import { parsePolicy } from '../../src/domain/policy/parse.js';
import type { PolicyDocument, PolicyScope } from '../../src/domain/policy/types.js';

function inbound(xml: string, scope: PolicyScope = 'product'): PolicyDocument {
  const r = parsePolicy(`<policies><inbound>${xml}</inbound></policies>`, scope, () => undefined);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.document;
}

describe('describeLimits', () => {
  it("says Starter's limits as its description does", () => {
    const r = parsePolicy(STARTER_POLICY_XML, 'product', () => undefined);
    if (!r.ok) throw new Error('starter');
    expect(describeLimits(r.document)).toEqual(['5 calls per minute', '100 calls per week']);
  });

  it.each([
    [1, 'second'],
    [30, '30 seconds'],
    [60, 'minute'],
    [90, '90 seconds'],
    [120, '2 minutes'],
    [3600, 'hour'],
    [7200, '2 hours'],
    [86400, 'day'],
    [172800, '2 days'],
    [604800, 'week'],
    [2592000, '30 days'],
    [1209600, '2 weeks'],
  ])('says a period of %i seconds as "%s"', (seconds, words) => {
    expect(describePeriod(seconds)).toBe(words);
  });

  it('says volumes in calls and bandwidth, a quota that never renews in total', () => {
    expect(describeLimits(inbound('<quota calls="1" bandwidth="10240" renewal-period="2592000" />'))).toEqual(['1 call and 10 MB per 30 days']);
    expect(describeLimits(inbound('<quota bandwidth="2097152" renewal-period="0" />'))).toEqual(['2 GB in total']);
    expect(describeLimits(inbound('<quota bandwidth="1500" calls="10000" renewal-period="3600" />'))).toEqual(['10,000 calls and 1,500 KB per hour']);
  });

  it('says the limits on single APIs and operations', () => {
    const doc = inbound('<rate-limit calls="20" renewal-period="60"><api name="Echo" calls="10" renewal-period="60"><operation id="get" calls="2" renewal-period="30" /></api></rate-limit>');
    expect(describeLimits(doc)).toEqual(['20 calls per minute', "10 calls per minute to the API 'Echo'", "2 calls per 30 seconds to the operation 'get' of the API 'Echo'"]);
  });

  it('says who shares a keyed counter, and which calls count', () => {
    const doc = inbound(
      [
        '<rate-limit-by-key calls="100" renewal-period="60" counter-key="@(context.Request.IpAddress)" />',
        '<rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Subscription.Id)" increment-condition="@(context.Response.StatusCode &gt;= 200 &amp;&amp; context.Response.StatusCode &lt; 300)" increment-count="2" />',
        '<rate-limit-by-key calls="5" renewal-period="10" counter-key="@(context.Request.Headers.GetValueOrDefault(&quot;X-Client&quot;))" increment-condition="@(!(context.Response.StatusCode == 429))" />',
        '<quota-by-key calls="500" renewal-period="86400" counter-key="shared" />',
        '<quota-by-key calls="50" renewal-period="0" counter-key="@(&quot;u-&quot; + context.User.Id)" increment-condition="true" />',
      ].join(''),
      'api',
    );
    expect(describeLimits(doc)).toEqual([
      '100 calls per minute per IP address',
      '10 calls per minute per subscription, counting only calls answered with status 200 or above and status below 300, each call counting 2',
      '5 calls per 10 seconds per value of the x-client header, counting only calls answered with not (status 429)',
      "500 calls per day shared by every call (one counter, key 'shared')",
      '50 calls in total per key',
    ]);
  });

  it('describes a composed policy, every scope that limits', () => {
    const p = composePolicy(
      { product: inbound('<rate-limit calls="5" renewal-period="60" /><base />'), api: inbound('<base /><rate-limit-by-key calls="100" renewal-period="60" counter-key="@(context.User.Id)" />', 'api') },
      { productId: 'starter', apiId: 'echo', operationId: 'get' },
    );
    expect(describeLimits(p)).toEqual(['5 calls per minute', '100 calls per minute per user']);
    expect(describeLimits(inbound('<base />'))).toEqual([]);
  });
});

/**
 * The policy expressions Tollgate evaluates: each supported form becomes the expected parts or
 * condition, and everything else is refused with the part that is not supported named.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isExpression, parseCondition, parseStringExpr } from '../../src/domain/policy/expressions.js';

function parts(text: string) {
  const r = parseStringExpr(text);
  if (!r.ok) throw new Error(r.message);
  return r.value.parts;
}

function refusal(text: string, parse: typeof parseStringExpr | typeof parseCondition = parseStringExpr): string {
  const r = parse(text);
  if (r.ok) throw new Error(`accepted: ${text}`);
  return r.message;
}

function condition(text: string) {
  const r = parseCondition(text);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

describe('string expressions', () => {
  it('keeps literal text as written, as one text part', () => {
    expect(parts('plain value')).toEqual([{ kind: 'text', value: 'plain value' }]);
    expect(parts('')).toEqual([{ kind: 'text', value: '' }]);
    // Azure only treats a value as an expression when it starts with '@('.
    expect(parts('"@(context.Api.Id)"')).toEqual([{ kind: 'text', value: '"@(context.Api.Id)"' }]);
    expect(isExpression('  @(x)')).toBe(true);
    expect(isExpression('a@(x)')).toBe(false);
  });

  it.each([
    ['context.Subscription.Id', 'subscription.id'],
    ['context.Subscription.Key', 'subscription.key'],
    ['context.User.Id', 'user.id'],
    ['context.Request.IpAddress', 'request.ip'],
    ['context.Request.Method', 'request.method'],
    ['context.Api.Id', 'api.id'],
    ['context.Operation.Id', 'operation.id'],
    ['context.Product.Id', 'product.id'],
  ])('reads @(%s)', (path, value) => {
    expect(parts(`@(${path})`)).toEqual([{ kind: 'context', value }]);
    expect(parts(` @( ${path} ) `)).toEqual([{ kind: 'context', value }]);
  });

  it('reads null-conditional member access as plain access (a missing value is empty anyway)', () => {
    expect(parts('@(context.Subscription?.Id)')).toEqual([{ kind: 'context', value: 'subscription.id' }]);
  });

  it('reads a header with and without a default, the name lower-cased', () => {
    expect(parts('@(context.Request.Headers.GetValueOrDefault("X-Client", "anon"))')).toEqual([{ kind: 'header', name: 'x-client', fallback: 'anon' }]);
    expect(parts('@(context.Request.Headers.GetValueOrDefault("Authorization"))')).toEqual([{ kind: 'header', name: 'authorization', fallback: '' }]);
  });

  it('concatenates with +, through parentheses, joining neighbouring literals', () => {
    expect(parts('@("key-" + context.Subscription.Id + ":" + (context.Api.Id + "/" + "x"))')).toEqual([
      { kind: 'text', value: 'key-' },
      { kind: 'context', value: 'subscription.id' },
      { kind: 'text', value: ':' },
      { kind: 'context', value: 'api.id' },
      { kind: 'text', value: '/x' },
    ]);
  });

  it('unescapes C# string literals, regular and verbatim', () => {
    expect(parts('@("a\\"b\\\\c\\n\\t\\u0041\\x42")')).toEqual([{ kind: 'text', value: 'a"b\\c\n\tAB' }]);
    expect(parts('@(@"C:\\path ""quoted""")')).toEqual([{ kind: 'text', value: 'C:\\path "quoted"' }]);
  });

  it.each([
    ['@(context.Variables["x"])', "'context.Variables' is not supported"],
    ['@(context.Variables.GetValueOrDefault<string>("x"))', "'context.Variables' is not supported"],
    ['@(context.Request.Headers.FirstOrDefault(h => h.Key == "Via"))', "'context.Request.Headers.FirstOrDefault' is not supported"],
    ['@(string.Join(",", DateTime.UtcNow))', "'string.Join' is not supported"],
    ['@(DateTime.UtcNow.ToString())', "'DateTime.UtcNow.ToString' is not supported"],
    ['@(context.Request)', "'context.Request' is not supported"],
    ['@(context.Request.Method == "POST" ? 1 : 2)', "'==' is not supported here"],
    ['@(context.Request.Headers.GetValueOrDefault("a", "").Split(\' \'))', "'.Split' is not supported here"],
    ['@(context.Request.Headers.GetValueOrDefault(context.Api.Id))', 'the header name of context.Request.Headers.GetValueOrDefault must be a string literal'],
    ['@{ return "x"; }', "multi-statement expressions '@{…}' are not supported"],
    ['@("unclosed)', 'a string literal is not closed'],
    ['@("bad \\q escape")', "the escape '\\q' in a string literal is not valid C#"],
    ['@(context.Api.Id + )', 'the expression ends too early'],
    ['@(context.Api.Id) + "x"', "an expression must be written '@(…)'"],
    ['@(' + '('.repeat(40) + '"x"' + ')'.repeat(40) + ')', 'nested too deeply'],
  ])('refuses %s naming what is not supported', (text, message) => {
    const m = refusal(text);
    expect(m).toContain(message);
  });

  it('lists what is supported in a refusal', () => {
    expect(refusal('@(context.Variables["x"])')).toMatch(/supported: context\.Subscription\.Id, .*context\.Request\.Headers\.GetValueOrDefault/);
  });

  it('never throws, whatever the text', () => {
    const pieces = fc.constantFrom('@(', ')', '(', '"', '\\', '@"', 'context', '.', 'Api', 'Id', 'Request', 'Headers', 'GetValueOrDefault', '+', ',', ' ', '?.', '{', 'x');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(pieces, { maxLength: 30 }).map((a) => a.join(''))), (text) => {
        const r = parseStringExpr(text);
        expect(typeof r.ok).toBe('boolean');
        expect(typeof parseCondition(text).ok).toBe('boolean');
      }),
    );
  });
});

describe('conditions', () => {
  it('reads status comparisons, both ways round', () => {
    expect(condition('@(context.Response.StatusCode == 200)')).toEqual({ kind: 'status', op: '==', value: 200 });
    expect(condition('@(400 > context.Response.StatusCode)')).toEqual({ kind: 'status', op: '<', value: 400 });
    expect(condition('@(200 <= context.Response.StatusCode)')).toEqual({ kind: 'status', op: '>=', value: 200 });
    expect(condition('@(context.Response.StatusCode != 429)')).toEqual({ kind: 'status', op: '!=', value: 429 });
  });

  it('reads &&, ||, ! and parentheses with C# precedence', () => {
    expect(condition('@(context.Response.StatusCode >= 200 && context.Response.StatusCode < 300 || false)')).toEqual({
      kind: 'or',
      left: { kind: 'and', left: { kind: 'status', op: '>=', value: 200 }, right: { kind: 'status', op: '<', value: 300 } },
      right: { kind: 'const', value: false },
    });
    expect(condition('@(!(context.Response.StatusCode == 500 || true))')).toEqual({
      kind: 'not',
      operand: { kind: 'or', left: { kind: 'status', op: '==', value: 500 }, right: { kind: 'const', value: true } },
    });
  });

  it('reads the literals true and false, with and without @()', () => {
    expect(condition('true')).toEqual({ kind: 'const', value: true });
    expect(condition('False')).toEqual({ kind: 'const', value: false });
    expect(condition('@(true)')).toEqual({ kind: 'const', value: true });
  });

  it.each([
    ['@(context.Request.Method == "POST")', "'context.Request.Method' is not supported in a condition"],
    ['@(context.Response.StatusCode)', 'a comparison expected'],
    ['@(200 == 200)', 'a comparison must set context.Response.StatusCode against an integer'],
    ['@(context.Response.StatusCode == 200 & true)', "'&' is not supported here"],
    ['@(context.Response.Body.As<string>() == "")', "'context.Response.Body' is not supported"],
    ['sometimes', "an expression must be written '@(…)'"],
  ])('refuses %s', (text, message) => {
    const m = refusal(text, parseCondition);
    expect(m).toContain(message);
    expect(m).toContain('supported: context.Response.StatusCode compared');
  });

  it('refuses a number past what can be compared exactly', () => {
    expect(refusal('@(context.Response.StatusCode == 99999999999999999999)', parseCondition)).toBe('the number 99999999999999999999 is too large');
  });
});

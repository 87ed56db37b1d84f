/**
 * The Velocity subset of email templates: references, directives, comments, whitespace, error
 * positions, variables, and property tests (random input parses or fails with
 * TemplateSyntaxError only; rendering a parsed template never throws).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  collectVariables,
  collectVariableUses,
  MAX_CONDITION_TERMS,
  MAX_NESTING,
  parseTemplate,
  render,
  TemplateSyntaxError,
} from '../../src/mail/render/velocity.js';

const identity = (s: string): string => s;

function run(source: string, values: Record<string, unknown> = {}, escape: (s: string) => string = identity): string {
  return render(parseTemplate(source), values, { escape });
}

function syntaxError(source: string): TemplateSyntaxError {
  try {
    parseTemplate(source);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) return err;
    throw err;
  }
  throw new Error(`expected a syntax error for ${JSON.stringify(source)}`);
}

describe('references', () => {
  const values = { Name: 'Ada', api: { Name: 'Echo', Owner: { Email: 'o@x.example' } } };

  it.each([
    ['$Name', 'Ada'],
    ['${Name}', 'Ada'],
    ['$!Name', 'Ada'],
    ['$!{Name}', 'Ada'],
    ['Hello $Name!', 'Hello Ada!'],
    ['${Name}son', 'Adason'],
    ['$api.Name', 'Echo'],
    ['${api.Name}', 'Echo'],
    ['$!{api.Name}', 'Echo'],
    ['$api.Owner.Email', 'o@x.example'],
    ['$api.name', 'Echo'], // property names fall back to a case-insensitive match
    ['$Name-based', 'Ada-based'], // no hyphen in names
    ['Hi $Name.', 'Hi Ada.'], // a dot not followed by a name is text
    ['$Name.com', 'Ada.com'], // dotted access into a string prints the rest as text
    ['${Name}.com', 'Ada.com'],
  ])('%s renders as %s', (source, expected) => {
    expect(run(source, values)).toBe(expected);
  });

  it.each([
    ['$5 off', '$5 off'],
    ['US$ 10', 'US$ 10'],
    ['$', '$'],
    ['a $ b', 'a $ b'],
    ['$$Name', '$Ada'],
    ['$!', '$!'],
    ['$! Name', '$! Name'],
    ['$.Name', '$.Name'],
    ['\\$Name', '\\Ada'], // no backslash escaping
    ['$1Name', '$1Name'],
  ])('a $ that does not start a reference is text: %s', (source, expected) => {
    expect(run(source, { Name: 'Ada' })).toBe(expected);
  });

  it('renders missing values, silent or not, as the empty string', () => {
    expect(run('[$Missing][$!Missing][${Missing}][$!{Missing}][$Missing.Deep.Path][$Name.Missing]', { Name: { x: 1 } })).toBe(
      '[][][][][][]',
    );
  });

  it('renders scalars and dates, and nothing for objects, lists, null and non-finite numbers', () => {
    const values = {
      n: 42,
      f: 1.5,
      t: true,
      b: 10n,
      d: new Date('2024-05-01T10:00:00Z'),
      bad: new Date('nope'),
      o: { a: 1 },
      l: [1, 2],
      z: null,
      inf: Infinity,
      nan: NaN,
    };
    expect(run('$n|$f|$t|$b|$d|$bad|$o|$l|$z|$inf|$nan', values)).toBe('42|1.5|true|10|2024-05-01T10:00:00.000Z||||||');
  });

  it('never reads inherited properties', () => {
    expect(run('[$constructor][$toString][$x.constructor][$x.__proto__][$x.hasOwnProperty]', { x: {} })).toBe('[][][][][]');
    expect(run('[$x.length]', { x: [1, 2, 3] })).toBe('[3]');
  });

  it('reads Map entries', () => {
    expect(run('$m.key', { m: new Map([['key', 'v']]) })).toBe('v');
  });

  it('applies escape to every inserted value and to nothing else', () => {
    const escape = (s: string): string => `<${s}>`;
    expect(run('a $x b ${y} $!z $o.p', { x: '1', y: '2', o: { p: '3' } }, escape)).toBe('a <1> b <2> <> <3>');
    expect(run('$Name.com', { Name: 'A' }, escape)).toBe('<A>.com');
  });

  it('is case-sensitive for variable names', () => {
    expect(run('[$name]', { Name: 'Ada' })).toBe('[]');
  });
});

describe('#if', () => {
  it.each([
    [undefined, false],
    [null, false],
    [false, false],
    ['', false],
    [0, false],
    [NaN, false],
    [[], false],
    ['x', true],
    ['false', true],
    [1, true],
    [-1, true],
    [true, true],
    [[0], true],
    [{}, true],
  ])('truth of %j is %s', (value, expected) => {
    expect(run('#if ($v)yes#{else}no#end', { v: value })).toBe(expected ? 'yes' : 'no');
  });

  it('handles negation, comparison and boolean operators', () => {
    const v = { a: 'x', n: 5, s: '10', empty: '' };
    const cases: [string, boolean][] = [
      ['!$a', false],
      ['!$missing', true],
      ['not $a', false],
      ['!!$a', true],
      ['$a == "x"', true],
      ["$a == 'x'", true],
      ['$a eq "x"', true],
      ['$a != "x"', false],
      ['$a ne "y"', true],
      ['$n == 5', true],
      ['$n == "5"', true],
      ['$s > $n', true], // numeric strings compare as numbers
      ['$n < 10', true],
      ['$n lt 10', true],
      ['$n <= 5', true],
      ['$n >= 6', false],
      ['$n gt 4', true],
      ['$n ge 5', true],
      ['$n le 4', false],
      ['"b" > "a"', true],
      ['$missing == $nothing', true],
      ['$missing == ""', false],
      ['$missing < 3', false],
      ['$a && $n', true],
      ['$a and $empty', false],
      ['$empty || $n', true],
      ['$empty or $missing', false],
      ['!($a == "x")', false],
      ['!$a == "x"', false], // ! binds looser than ==
      ['($empty or $a) and ($n == 5)', true],
      ['true', true],
      ['false or null', false],
      ['-1 < 0', true],
      ['1.5 > 1', true],
    ];
    for (const [condition, expected] of cases) {
      expect(run(`#if (${condition})T#{else}F#end`, v), condition).toBe(expected ? 'T' : 'F');
    }
  });

  it('takes the first true branch of #elseif chains', () => {
    const source = '#if ($n == 1)one#elseif ($n == 2)two#elseif ($n > 1)many#{else}none#end';
    expect(run(source, { n: 1 })).toBe('one');
    expect(run(source, { n: 2 })).toBe('two');
    expect(run(source, { n: 7 })).toBe('many');
    expect(run(source, {})).toBe('none');
  });

  it('accepts the brace forms and no space before the condition', () => {
    expect(run('#{if}($a)A#{else}B#{end}C', { a: 1 })).toBe('AC');
    expect(run('#if($a)A#{elseif}($b)B#{end}', { b: 1 })).toBe('B');
  });

  it('nests', () => {
    const source = '#if ($a)a#if ($b)b#{else}!b#end#{else}!a#end';
    expect(run(source, { a: 1, b: 1 })).toBe('ab');
    expect(run(source, { a: 1 })).toBe('a!b');
    expect(run(source, {})).toBe('!a');
  });

  it('lets conditions span lines', () => {
    expect(run('#if ($a\n  and $b)yes#end', { a: 1, b: 1 })).toBe('yes');
  });
});

describe('#foreach', () => {
  const apis = [
    { Name: 'Echo', Calls: 10, Operations: [{ Name: 'get' }, { Name: 'post' }] },
    { Name: 'Pets', Calls: 3, Operations: [] },
  ];

  it('loops over objects with dotted access', () => {
    expect(run('#foreach ($api in $Apis)[$api.Name:$api.Calls]#end', { Apis: apis })).toBe('[Echo:10][Pets:3]');
  });

  it('nests loops over properties of the outer item', () => {
    const source = '#foreach ($api in $Apis)$api.Name(#foreach ($op in $api.Operations)$op.Name#if ($foreach.hasNext),#end#end)#end';
    expect(run(source, { Apis: apis })).toBe('Echo(get,post)Pets()');
  });

  it('exposes the loop status', () => {
    const source = '#foreach ($x in $L)$foreach.index/$foreach.count#if ($foreach.first)F#end#if ($foreach.last)L#end #end';
    expect(run(source, { L: ['a', 'b', 'c'] })).toBe('0/1F 1/2 2/3L ');
  });

  it('renders #else for a missing, empty or non-list value', () => {
    const source = '#foreach ($x in $L)$x#{else}none#end';
    expect(run(source, {})).toBe('none');
    expect(run(source, { L: [] })).toBe('none');
    expect(run(source, { L: 'abc' })).toBe('none');
    expect(run(source, { L: { a: 1 } })).toBe('none');
    expect(run(source, { L: [1, 2] })).toBe('12');
  });

  it('keeps loop variables local and lets them shadow values', () => {
    expect(run('$x #foreach ($x in $L)$x #end$x', { x: 'outer', L: ['in1', 'in2'] })).toBe('outer in1 in2 outer');
  });

  it('accepts braced and silent references for the list', () => {
    expect(run('#foreach($x in ${L})$x#end|#foreach ($y in $!L)$y#end', { L: [1, 2] })).toBe('12|12');
  });
});

describe('comments and whitespace', () => {
  it('drops ## line comments with their line break, and #* block comments *#', () => {
    expect(run('a ## comment\nb')).toBe('a b');
    expect(run('a#* one\ntwo *#b')).toBe('ab');
    expect(run('a #* $x #if *# b')).toBe('a  b');
    expect(run('## only a comment')).toBe('');
  });

  it('removes the lines that hold only a directive or a comment', () => {
    const source = ['<ul>', '  #foreach ($x in $L)', '  <li>$x</li>', '  #end', '  ## a comment', '  #* block *#', '</ul>'].join('\n');
    expect(run(source, { L: ['a', 'b'] })).toBe('<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>');
    expect(run('#if ($a)\r\nyes\r\n#end\r\nafter', { a: 1 })).toBe('yes\r\nafter');
    expect(run('x #if ($a) y #end z', { a: 1 })).toBe('x  y  z');
  });

  it('keeps # that is not a directive: colours, anchors, unknown words', () => {
    const source = '<p style="color:#333;background:#eeeeee">#1 #fff #endless #iffy #elsewhere #end_ #{nope} # #</p>';
    expect(run('#if (true)' + source + '#end')).toBe(source);
    expect(run('<a href="#">top</a>')).toBe('<a href="#">top</a>');
  });
});

describe('syntax errors', () => {
  it.each([
    ['#if ($a)\nno end', 1, 1, '#if is not closed'],
    ['text\n  #foreach ($a in $b)\n', 2, 3, '#foreach is not closed'],
    ['#if ($a)#if ($b)#end', 1, 1, '#if is not closed'],
    ['a\nb #end', 2, 3, '#end without a matching'],
    ['#else', 1, 1, '#else without a matching'],
    ['#{end}', 1, 1, '#end without'],
    ['#elseif ($a)', 1, 1, '#elseif without a matching #if'],
    ['#foreach ($a in $b)#elseif ($c)#end', 1, 20, '#elseif is not allowed in #foreach'],
    ['#if ($a)#{else}#elseif ($b)#end', 1, 16, '#elseif after #else'],
    ['#if ($a)#{else}#{else}#end', 1, 16, 'Second #else'],
    ['Hi ${Name', 1, 4, "'${Name' is not closed"],
    ['Hi ${api.Name x}', 1, 4, 'is not closed'],
    ['x\n ${}', 2, 2, "must be followed by a variable name"],
    ['${ Name }', 1, 1, 'must be followed by a variable name'],
    ['$!{Name', 1, 1, 'is not closed'],
    ['#if $a', 1, 1, "Malformed #if: expected '('"],
    ['#if', 1, 1, 'Malformed #if'],
    ['#elseif', 1, 1, 'without a matching #if'],
    ['#if ($a', 1, 1, 'Condition of #if is not closed'],
    ['#if ($a == )#end', 1, 12, "Unexpected ')'"],
    ['#if ($a = 1)#end', 1, 9, "Use '=='"],
    ['#if ($a "x")#end', 1, 9, "Unexpected '\"'"],
    ['#if ()#end', 1, 6, "Unexpected ')'"],
    ['#if ($)#end', 1, 6, 'Unexpected'],
    ['#if ("abc)#end', 1, 6, 'String in the condition of #if is not closed'],
    ['#if (12abc)#end', 1, 6, 'expected a number'],
    ['#if ($a &)#end', 1, 9, "Unexpected '&'"],
    ['#foreach ($a $b)#end', 1, 1, 'Malformed #foreach'],
    ['#foreach (a in $b)#end', 1, 1, 'Malformed #foreach'],
    ['#foreach ($a in b)#end', 1, 1, 'Malformed #foreach'],
    ['#foreach ($a in $b#end', 1, 1, 'Malformed #foreach'],
    ['#foreach ($foreach in $b)#end', 1, 11, 'reserved'],
    ['#foreach ($ain $b)#end', 1, 1, 'Malformed #foreach'],
    ['ok\n#* never closed', 2, 1, "Comment '#*' is not closed"],
    ['#set ($a = 1)', 1, 1, '#set is not supported'],
    ['#macro(x)', 1, 1, '#macro is not supported'],
  ])('%j fails at %i:%i', (source, line, column, reason) => {
    const err = syntaxError(source);
    expect(err.line).toBe(line);
    expect(err.column).toBe(column);
    expect(err.reason).toContain(reason);
    expect(err.message).toBe(`Line ${line}, column ${column}: ${err.reason}`);
  });

  it('counts lines over LF, CRLF and CR', () => {
    expect(syntaxError('a\r\nb\rc\n  #end')).toMatchObject({ line: 4, column: 3 });
  });

  it('bounds nesting of blocks and conditions, and the length of && chains', () => {
    expect(parseTemplate('#if (true)'.repeat(MAX_NESTING) + '#end'.repeat(MAX_NESTING)).nodes).toHaveLength(1);
    expect(syntaxError('#if (true)'.repeat(MAX_NESTING + 1) + '#end'.repeat(MAX_NESTING + 1)).reason).toContain('nested');
    expect(syntaxError(`#if (${'('.repeat(MAX_NESTING + 1)}$a${')'.repeat(MAX_NESTING + 1)})#end`).reason).toContain('nested');
    expect(syntaxError(`#if (${'!'.repeat(MAX_NESTING + 1)}$a)#end`).reason).toContain('nested');
    const chain = (n: number): string => `#if ($a${' && $a'.repeat(n)})x#end`;
    expect(run(chain(MAX_CONDITION_TERMS), { a: 1 })).toBe('x');
    expect(syntaxError(chain(MAX_CONDITION_TERMS + 1)).reason).toContain('terms');
  });
});

describe('collectVariables', () => {
  it('lists top-level names, not loop variables', () => {
    const ast = parseTemplate(
      [
        'Hi $DevFirstName ${DevLastName} $!Silent',
        '#if ($Flag == "x" and !$Other)#end',
        '#foreach ($api in $Apis)$api.Name $foreach.count $Outer',
        '  #foreach ($op in $api.Operations)$op.Name $api.Name#end',
        '#{else}$api',
        '#end',
        '$op.Name after',
      ].join('\n'),
    );
    expect([...collectVariables(ast)].sort()).toEqual(
      ['Apis', 'DevFirstName', 'DevLastName', 'Flag', 'Other', 'Outer', 'Silent', 'api', 'op'].sort(),
    );
  });

  it('gives the position and spelling of every use', () => {
    const uses = collectVariableUses(parseTemplate('a\n  ${x.y} $x\n#if ($z)#end'));
    expect(uses).toEqual([
      { name: 'x', source: '${x.y}', line: 2, column: 3 },
      { name: 'x', source: '$x', line: 2, column: 10 },
      { name: 'z', source: '$z', line: 3, column: 6 },
    ]);
  });
});

describe('property tests', () => {
  const pieces = [
    '$', '#', '{', '}', '(', ')', '!', '.', '*', '"', "'", '=', '&', '|', '<', '>', ' ', '\n', '\r\n',
    'if', 'elseif', 'else', 'end', 'foreach', 'set', ' in ', 'and', 'not', 'a', 'Name', 'api', '1', '-',
    '$a', '$Name', '$api.Name', '${', '$!', '#if ($a)', '#if(', '#else', '#end', '#foreach ($x in $L)',
    '#{else}', '#{end}', '##', '#*', '*#', '==', '&&', '||',
  ];
  const template = fc.oneof(
    fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((parts) => parts.join('')),
    fc.string({ maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 100 }),
  );
  const leaf = fc.oneof(
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.date({ noInvalidDate: false }),
  );
  const value = fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.constantFrom('Name', 'a', 'x', 'L', 'api'), tie('v'))),
  })).v;
  const values = fc.dictionary(fc.constantFrom('a', 'Name', 'api', 'L', 'x', 'constructor', '__proto__'), value);

  it('random input parses or throws TemplateSyntaxError, and parsed templates always render', () => {
    fc.assert(
      fc.property(template, values, (source, vals) => {
        let ast;
        try {
          ast = parseTemplate(source);
        } catch (err) {
          expect(err).toBeInstanceOf(TemplateSyntaxError);
          const e = err as TemplateSyntaxError;
          expect(e.line).toBeGreaterThanOrEqual(1);
          expect(e.column).toBeGreaterThanOrEqual(1);
          return;
        }
        expect(typeof render(ast, vals, { escape: (s) => s.replace(/&/g, '&amp;') })).toBe('string');
        collectVariables(ast);
      }),
      { numRuns: 1500 },
    );
  });

  it('text without $ or # renders as itself', () => {
    fc.assert(
      fc.property(fc.string().filter((s) => !s.includes('$') && !s.includes('#')), (text) => {
        expect(run(text)).toBe(text);
      }),
    );
  });

  // How long this takes (and that the time grows linearly) is measured by `npm run bench:parsers`.
  it('parses and renders long inputs', () => {
    const line = '<p>$a #if ($a) x #end #333 ## c\n';
    const big = line.repeat(20_000);
    const ast = parseTemplate(big);
    expect(render(ast, { a: 'v' }, { escape: identity })).toBe(run(line, { a: 'v' }).repeat(20_000));
  });
});

/**
 * The template catalogue and its defaults, and the API the rest of Tollgate uses:
 * validateTemplate and renderEmail (escaping, header injection, missing values, caching).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import {
  collectVariables,
  escapeHtml,
  htmlToText,
  parsedTemplateCacheSize,
  parseTemplate,
  renderEmail,
  validateTemplate,
  type TemplateContent,
} from '../../src/mail/render/index.js';
import { checkWellFormed } from '../../src/mail/render/xhtml.js';
import {
  findTemplateName,
  TEMPLATE_NAMES,
  TEMPLATES,
  type TemplateDefinition,
  type TemplateName,
} from '../../src/mail/templates/catalogue.js';

/** The `templateName` enum of Azure's 2024-05-01 spec, in its order. */
const AZURE_ENUM = [
  'applicationApprovedNotificationMessage',
  'accountClosedDeveloper',
  'quotaLimitApproachingDeveloperNotificationMessage',
  'newDeveloperNotificationMessage',
  'emailChangeIdentityDefault',
  'inviteUserNotificationMessage',
  'newCommentNotificationMessage',
  'confirmSignUpIdentityDefault',
  'newIssueNotificationMessage',
  'purchaseDeveloperNotificationMessage',
  'passwordResetIdentityDefault',
  'passwordResetByAdminNotificationMessage',
  'rejectDeveloperNotificationMessage',
  'requestDeveloperNotificationMessage',
];

const LINK = ['DevFirstName', 'DevLastName', 'ConfirmUrl', 'LinkValidFor', 'DevPortalHost', 'ConfirmQuery'];

/** Section 8 of the contract notes, plus OrganizationName and DevPortalUrl everywhere. */
const EXPECTED_PARAMETERS: Record<TemplateName, string[]> = {
  accountClosedDeveloper: ['DevFirstName', 'DevLastName'],
  applicationApprovedNotificationMessage: ['AppId', 'AppName', 'DevFirstName', 'DevLastName'],
  confirmSignUpIdentityDefault: LINK,
  emailChangeIdentityDefault: LINK,
  inviteUserNotificationMessage: LINK,
  newCommentNotificationMessage: ['DevFirstName', 'DevLastName', 'CommenterFirstName', 'CommenterLastName', 'IssueId', 'IssueName', 'CommentText'],
  newDeveloperNotificationMessage: ['DevFirstName', 'DevLastName', 'DevUsername', 'DevEmail', 'IdentityProvider'],
  newIssueNotificationMessage: ['DevFirstName', 'DevLastName', 'IssueId', 'IssueName'],
  passwordResetByAdminNotificationMessage: ['DevFirstName', 'DevLastName'], // no DevPassword, on purpose
  passwordResetIdentityDefault: LINK,
  purchaseDeveloperNotificationMessage: ['DevFirstName', 'DevLastName', 'ProdId', 'ProdName', 'SubStartDate', 'SubTerm'],
  quotaLimitApproachingDeveloperNotificationMessage: [
    'DevFirstName', 'DevLastName', 'ProdName', 'SubPrimaryKey', 'QuotaResetDate', 'Apis', 'api', 'operation',
  ],
  rejectDeveloperNotificationMessage: ['DevFirstName', 'DevLastName', 'ProdName', 'SubDeclineReason'],
  requestDeveloperNotificationMessage: ['DevFirstName', 'DevLastName', 'DevEmail', 'ProdName'],
};

const SAMPLE_APIS = [
  {
    Name: 'Echo API',
    Calls: '9,500 of 10,000',
    Bandwidth: '1.2 MB of 10 MB',
    Operations: [
      { Name: 'GET /echo', Calls: '9,000', Bandwidth: '1 MB' },
      { Name: 'POST /echo', Calls: '500', Bandwidth: '0.2 MB' },
    ],
  },
  { Name: 'Pets API', Calls: '12', Bandwidth: '3 KB', Operations: [] },
];

/** A value for every declared parameter: its name in a recognisable form, URLs for URLs. */
function sampleValues(definition: TemplateDefinition): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const { name } of definition.parameters) values[name] = `value-of-${name}`;
  values['OrganizationName'] = 'Contoso';
  values['DevPortalUrl'] = 'https://portal.contoso.example';
  values['DevPortalHost'] = 'portal.contoso.example';
  values['ConfirmUrl'] = 'https://portal.contoso.example/confirm?token=abc&user=1';
  values['ConfirmQuery'] = 'token=abc&user=1';
  values['LinkValidFor'] = definition.name === 'passwordResetIdentityDefault' ? '1 hour' : '2 days';
  values['Apis'] = SAMPLE_APIS;
  delete values['api'];
  delete values['operation'];
  return values;
}

/** Hostile values for every parameter. */
function hostileValues(definition: TemplateDefinition): Record<string, unknown> {
  const evil = `<script>alert("x")</script> & 'quoted' "double" ]]> <!-- \r\nBcc: victim@evil.example`;
  const values: Record<string, unknown> = {};
  for (const { name } of definition.parameters) values[name] = evil;
  values['Apis'] = [{ Name: evil, Calls: evil, Bandwidth: evil, Operations: [{ Name: evil, Calls: evil, Bandwidth: evil }] }];
  return values;
}

/** A `$` reference left in rendered output. */
const UNRENDERED = /\$!?\{?[A-Za-z_]/;

function appError(fn: () => void): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('catalogue', () => {
  it('has exactly Azure 14 template names', () => {
    expect([...TEMPLATE_NAMES]).toEqual(AZURE_ENUM);
    expect(Object.keys(TEMPLATES).sort()).toEqual([...AZURE_ENUM].sort());
  });

  it('gives each template its PascalCase display name, metadata and parameters', () => {
    for (const name of TEMPLATE_NAMES) {
      const t = TEMPLATES[name];
      expect(t.name).toBe(name);
      expect(t.displayName).toBe(name.charAt(0).toUpperCase() + name.slice(1));
      expect(t.title.length).toBeGreaterThan(0);
      expect(t.description.length).toBeGreaterThan(0);
      const names = t.parameters.map((p) => p.name);
      expect(new Set(names).size, name).toBe(names.length);
      expect(names.sort(), name).toEqual([...EXPECTED_PARAMETERS[name], 'OrganizationName', 'DevPortalUrl'].sort());
      for (const p of t.parameters) {
        expect(p.name).toMatch(/^[A-Za-z0-9-._]{1,256}$/);
        expect(p.title.length).toBeGreaterThanOrEqual(1);
        expect(p.title.length).toBeLessThanOrEqual(4096);
      }
    }
    expect(TEMPLATES.newIssueNotificationMessage.displayName).toBe('NewIssueNotificationMessage');
    expect(TEMPLATES.newIssueNotificationMessage.parameters.find((p) => p.name === 'DevFirstName')?.title).toBe('Developer first name');
    expect(TEMPLATES.accountClosedDeveloper.parameters.find((p) => p.name === 'OrganizationName')?.title).toBe('Organization name');
  });

  it('is frozen', () => {
    expect(Object.isFrozen(TEMPLATES)).toBe(true);
    expect(Object.isFrozen(TEMPLATES.accountClosedDeveloper)).toBe(true);
    expect(Object.isFrozen(TEMPLATES.accountClosedDeveloper.parameters)).toBe(true);
  });

  it('finds names in either spelling, case-insensitively', () => {
    expect(findTemplateName('newIssueNotificationMessage')).toBe('newIssueNotificationMessage');
    expect(findTemplateName('NewIssueNotificationMessage')).toBe('newIssueNotificationMessage');
    expect(findTemplateName('NEWISSUENOTIFICATIONMESSAGE')).toBe('newIssueNotificationMessage');
    expect(findTemplateName('AccountClosedDeveloper')).toBe('accountClosedDeveloper');
    for (const name of TEMPLATE_NAMES) expect(findTemplateName(TEMPLATES[name].displayName)).toBe(name);
    for (const raw of ['', 'newIssue', 'toString', '__proto__', 'constructor', ' newIssueNotificationMessage']) {
      expect(findTemplateName(raw)).toBeUndefined();
    }
  });
});

describe.each(TEMPLATE_NAMES.map((name) => [name]))('default %s', (name) => {
  const definition = TEMPLATES[name];

  it('validates against its own parameters', () => {
    expect(() => validateTemplate(definition, definition)).not.toThrow();
    expect(definition.subject.length).toBeLessThanOrEqual(1000);
    checkWellFormed(definition.body);
    const declared = new Set(definition.parameters.map((p) => p.name));
    for (const used of collectVariables(parseTemplate(definition.body))) expect(declared).toContain(used);
    for (const used of collectVariables(parseTemplate(definition.subject))) expect(declared).toContain(used);
  });

  it('is an XHTML document with inline styles only, a charset and a title', () => {
    const body = definition.body;
    expect(body).toMatch(/^<!DOCTYPE html>\n<html xmlns="http:\/\/www\.w3\.org\/1999\/xhtml" lang="en">/);
    expect(body).toContain('<meta charset="utf-8"/>');
    expect(body).toMatch(/<title>[^<]+<\/title>/);
    expect(body).toContain('max-width:560px');
    expect(body).not.toMatch(/<style|<link|<script|class=/);
    expect(body).toContain('$OrganizationName');
  });

  it('renders with sample values: nothing left unrendered, still well-formed', () => {
    const values = sampleValues(definition);
    const email = renderEmail(definition, values);
    expect(email.subject).not.toMatch(UNRENDERED);
    expect(email.html).not.toMatch(UNRENDERED);
    expect(email.text).not.toMatch(UNRENDERED);
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(() => checkWellFormed(email.html)).not.toThrow();
    expect(email.text).toBe(htmlToText(email.html));
    expect(email.text).not.toMatch(/<[a-z/]/i);
    expect(email.text).toContain('Contoso');
    expect(email.html).toContain('Contoso');
  });

  it('renders with no values at all', () => {
    const email = renderEmail(definition, {});
    expect(email.html).not.toMatch(UNRENDERED);
    expect(() => checkWellFormed(email.html)).not.toThrow();
    expect(email.text).toMatch(/^\S/);
  });

  it('escapes hostile values in the body and keeps the subject on one line', () => {
    const email = renderEmail(definition, hostileValues(definition));
    expect(() => checkWellFormed(email.html)).not.toThrow();
    expect(email.html).not.toContain('<script');
    expect(email.html).not.toContain('"double"');
    expect(email.html).not.toContain("'quoted'");
    expect(email.subject).not.toMatch(/[\r\n]/);
  });
});

describe('the defaults say the right things', () => {
  const render = (name: TemplateName, extra: Record<string, unknown> = {}) =>
    renderEmail(TEMPLATES[name], { ...sampleValues(TEMPLATES[name]), ...extra });

  it('send a one-time link where Azure does', () => {
    for (const name of ['inviteUserNotificationMessage', 'confirmSignUpIdentityDefault', 'passwordResetIdentityDefault', 'emailChangeIdentityDefault'] as const) {
      expect(TEMPLATES[name].body, name).toContain('href="$ConfirmUrl"');
      const email = render(name);
      expect(email.html).toContain('href="https://portal.contoso.example/confirm?token=abc&amp;user=1"');
      expect(email.text).toContain('https://portal.contoso.example/confirm?token=abc&user=1');
    }
  });

  it('invitation: who invites, for how long', () => {
    const t = TEMPLATES.inviteUserNotificationMessage;
    expect(t.subject).toBe('You are invited to join the $OrganizationName developer portal');
    expect(render('inviteUserNotificationMessage').subject).toBe('You are invited to join the Contoso developer portal');
    expect(t.body).toContain('This link works for $LinkValidFor');
    expect(render('inviteUserNotificationMessage').text).toContain('This link works for 2 days');
  });

  it('sign-up, email change and password reset say how long the link works, and reset says to ignore it if not asked', () => {
    expect(TEMPLATES.confirmSignUpIdentityDefault.subject).toBe('Please confirm your new $OrganizationName account');
    expect(TEMPLATES.confirmSignUpIdentityDefault.body).toContain('This link works for $LinkValidFor');
    expect(TEMPLATES.emailChangeIdentityDefault.body).toContain('This link works for $LinkValidFor');
    const reset = render('passwordResetIdentityDefault');
    expect(reset.text).toContain('This link works for 1 hour');
    expect(reset.text).toContain('If you did not ask for a new password, ignore this email');
  });

  it('password reset by an administrator never carries a password', () => {
    const t = TEMPLATES.passwordResetByAdminNotificationMessage;
    expect(t.parameters.map((p) => p.name)).not.toContain('DevPassword');
    expect(t.body).not.toContain('DevPassword');
    expect(t.subject).not.toContain('DevPassword');
    const email = render('passwordResetByAdminNotificationMessage', { DevPassword: 'S3cret-Pa55!' });
    for (const part of [email.subject, email.html, email.text]) expect(part).not.toContain('S3cret-Pa55!');
    expect(email.text).toContain('administrator');
    expect(email.text).toContain('Forgot password');
    expect(() => validateTemplate(t, { subject: t.subject, body: t.body.replace('</h1>', '</h1><p>$DevPassword</p>') })).toThrow(
      /unknown variable \$DevPassword/,
    );
  });

  it('quota: a row per API and per operation, no table without APIs', () => {
    const t = TEMPLATES.quotaLimitApproachingDeveloperNotificationMessage;
    expect(t.body).toContain('#foreach ($api in $Apis)');
    const email = render('quotaLimitApproachingDeveloperNotificationMessage', { QuotaResetDate: '1 June 2024' });
    expect(email.text).toContain('Echo API | 9,500 of 10,000 | 1.2 MB of 10 MB');
    expect(email.text).toContain('GET /echo | 9,000 | 1 MB');
    expect(email.text).toContain('Pets API | 12 | 3 KB');
    expect(email.text).toContain('resets on 1 June 2024.');
    expect(email.text).not.toContain('value-of-SubPrimaryKey');
    const none = render('quotaLimitApproachingDeveloperNotificationMessage', { Apis: [] });
    expect(none.html).not.toContain('<table');
  });

  it('subscriptions name the product; a decline gives its reason only when there is one', () => {
    expect(render('purchaseDeveloperNotificationMessage', { ProdName: 'Gold' }).subject).toBe('Your subscription to Gold is active');
    expect(render('requestDeveloperNotificationMessage', { ProdName: 'Gold' }).text).toContain('Gold');
    const declined = render('rejectDeveloperNotificationMessage', { ProdName: 'Gold', SubDeclineReason: 'Internal use only.' });
    expect(declined.subject).toBe('Your subscription request for Gold was declined');
    expect(declined.text).toContain('Internal use only.');
    const noReason = renderEmail(TEMPLATES.rejectDeveloperNotificationMessage, { ProdName: 'Gold' });
    expect(noReason.html).not.toContain('border-left');
  });

  it('greet by first name, or without one', () => {
    expect(render('accountClosedDeveloper', { DevFirstName: 'Ada' }).text).toContain('Hello Ada,');
    expect(renderEmail(TEMPLATES.accountClosedDeveloper, {}).text).toContain('Hello,');
  });
});

describe('validateTemplate', () => {
  const invite = TEMPLATES.inviteUserNotificationMessage;
  const quota = TEMPLATES.quotaLimitApproachingDeveloperNotificationMessage;
  const body = (inner: string): string => `<html><body>\n${inner}\n</body></html>`;

  it('rejects an unknown variable, naming it and its position', () => {
    const err = appError(() => validateTemplate(invite, { subject: 'Hi', body: body('<p>Hello $Nickname</p>') }));
    expect(err.kind).toBe('validation');
    expect(err.code).toBe('ValidationError');
    expect(err.details).toHaveLength(1);
    expect(err.details[0]).toMatchObject({ code: 'ValidationError', target: 'body' });
    expect(err.details[0]?.message).toMatch(/^Line 2, column 10: unknown variable \$Nickname\. InviteUserNotificationMessage accepts \$DevFirstName, /);
    expect(err.message).toContain('$Nickname');
  });

  it('suggests the right case', () => {
    const err = appError(() => validateTemplate(invite, { subject: 'Hi ${devFirstName}', body: body('<p/>') }));
    expect(err.details[0]).toMatchObject({ target: 'subject' });
    expect(err.details[0]?.message).toBe(
      'Line 1, column 4: unknown variable $devFirstName (in ${devFirstName}). Did you mean $DevFirstName? Names are case-sensitive.',
    );
  });

  it('accepts loop variables inside their loop only', () => {
    const loop = '#foreach ($item in $Apis)<p>$item.Name $foreach.count</p>#end';
    expect(() => validateTemplate(quota, { subject: 'Quota', body: body(loop) })).not.toThrow();
    const err = appError(() => validateTemplate(quota, { subject: 'Quota', body: body(`${loop}<p>$item.Name</p>`) }));
    expect(err.details[0]?.message).toContain('unknown variable $item (in $item.Name)');
  });

  it('reports syntax errors with their position, per part', () => {
    const subject = appError(() => validateTemplate(invite, { subject: 'Hi ${DevFirstName', body: body('<p/>') }));
    expect(subject.details).toEqual([
      { code: 'ValidationError', target: 'subject', message: "Line 1, column 4: '${DevFirstName' is not closed: expected '}'" },
    ]);
    const bodyErr = appError(() => validateTemplate(invite, { subject: 'Hi', body: body('#if ($DevFirstName)<p/>') }));
    expect(bodyErr.details[0]).toMatchObject({ target: 'body', message: 'Line 2, column 1: #if is not closed: add #end' });
  });

  it('reports a body that is not well-formed XHTML', () => {
    const err = appError(() => validateTemplate(invite, { subject: 'Hi', body: '<html>\n<body>\n    <div>\n           </p>\n</body></html>' }));
    expect(err.details[0]).toMatchObject({ target: 'body' });
    expect(err.details[0]?.message).toBe(
      'Line 4, column 12: </p> closes <div> opened at line 3, column 5 (the body must be a well-formed XHTML document)',
    );
    const amp = appError(() => validateTemplate(invite, { subject: 'Hi', body: body('#if ($DevFirstName && $DevLastName)<p/>#end') }));
    expect(amp.details[0]?.message).toContain("write 'and'");
  });

  it('checks the lengths of subject and body', () => {
    expect(appError(() => validateTemplate(invite, { subject: '', body: body('<p/>') })).details[0]).toMatchObject({
      target: 'subject',
      message: 'The subject must not be empty.',
    });
    expect(appError(() => validateTemplate(invite, { subject: 'x'.repeat(1001), body: body('<p/>') })).details[0]).toMatchObject({
      target: 'subject',
      message: 'The subject must be at most 1000 characters long.',
    });
    expect(() => validateTemplate(invite, { subject: 'x'.repeat(1000), body: body('<p/>') })).not.toThrow();
    expect(appError(() => validateTemplate(invite, { subject: 'Hi', body: '' })).details[0]).toMatchObject({
      target: 'body',
      message: 'The body must not be empty.',
    });
    expect(appError(() => validateTemplate(invite, { subject: 'Hi', body: '   ' })).details[0]?.message).toContain('no root element');
  });

  it('lists every problem it finds', () => {
    const err = appError(() =>
      validateTemplate(invite, { subject: '$A $B', body: '<html><body>$C</p></html>' }),
    );
    expect(err.details.map((d) => d.target)).toEqual(['subject', 'subject', 'body', 'body']);
    expect(err.message).toMatch(/^The email template is not valid \(4 problems\)\. The first is in the subject: Line 1, column 1: unknown variable \$A/);
  });

  it('caps the number of unknown variables reported', () => {
    const many = Array.from({ length: 30 }, (_, i) => `$V${i}`).join(' ');
    const err = appError(() => validateTemplate(invite, { subject: many, body: body('<p/>') }));
    expect(err.details).toHaveLength(11);
    expect(err.details[10]?.message).toBe('More unknown variables follow in the subject.');
  });
});

describe('renderEmail', () => {
  const content: TemplateContent = {
    subject: 'Hello $Name, about $Product',
    body: '<html><body><p title="$Name">Hi $Name</p><a href="$Url">go</a></body></html>',
  };

  it('escapes every value inserted in the body, in text and attributes', () => {
    const email = renderEmail(content, { Name: `<script>alert('x')</script> & "co"`, Url: 'https://x.example/"onmouseover="evil()' });
    expect(email.html).toBe(
      '<html><body><p title="&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;">Hi &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;</p>' +
        '<a href="https://x.example/&quot;onmouseover=&quot;evil()">go</a></body></html>',
    );
    expect(() => checkWellFormed(email.html)).not.toThrow();
    expect(email.text).toBe(`Hi <script>alert('x')</script> & "co"\n\ngo (https://x.example/"onmouseover="evil())`);
  });

  it('does not escape the subject, but keeps it on one line', () => {
    const email = renderEmail(content, { Name: 'Tom & <Jerry>', Product: 'Gold\r\nBcc: victim@evil.example\n\nbody' });
    expect(email.subject).toBe('Hello Tom & <Jerry>, about Gold Bcc: victim@evil.example body');
    expect(renderEmail({ ...content, subject: '#if ($a)\nA\n#end\n  B\u2028C\u0000D\t' }, { a: 1 }).subject).toBe('A B C D');
  });

  it('never lets a value open a header, whatever it is', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (name, product) => {
        const email = renderEmail(content, { Name: name, Product: product });
        expect(email.subject).not.toMatch(/[\r\n\u2028\u2029\u0085]/);
        expect(() => checkWellFormed(email.html.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/gu, ''))).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });

  it('renders missing values as nothing', () => {
    const email = renderEmail(content, {});
    expect(email.subject).toBe('Hello , about');
    expect(email.html).toBe('<html><body><p title="">Hi </p><a href="">go</a></body></html>');
  });

  it('escapes & < > " \' and nothing else', () => {
    expect(escapeHtml(`a&b<c>d"e'f $g #h`)).toBe('a&amp;b&lt;c&gt;d&quot;e&#39;f $g #h');
  });

  it('throws the validation error for a template that does not parse', () => {
    const err = appError(() => renderEmail({ subject: 'ok', body: '<p>#end</p>' }, {}));
    expect(err.code).toBe('ValidationError');
    expect(err.details[0]).toMatchObject({ target: 'body', message: 'Line 1, column 4: #end without a matching #if or #foreach' });
  });

  it('caches parsed templates, within a bound', () => {
    for (let i = 0; i < 500; i++) renderEmail({ subject: `S${i} $x`, body: `<p>${i}</p>` }, { x: i });
    expect(parsedTemplateCacheSize()).toBeLessThanOrEqual(200);
    const before = parsedTemplateCacheSize();
    renderEmail({ subject: 'S499 $x', body: '<p>499</p>' }, {});
    expect(parsedTemplateCacheSize()).toBe(before);
  });
});

import { X509Certificate } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { generate } from '../../certs/generate.js';
import { matrixOptionsFor } from '../../certs/prepare-certs.js';
import { specOf } from '../../certs/spec.js';
import { certificateFacts } from '../policy/certificate-facts.js';
import { checkCertificate } from '../policy/certificate-policy.js';
import { dnForms, normalDn, normalDnPattern, parseDn } from './distinguished-name.js';
import { dnMatches } from './identity-pattern.js';
import { profileSchema, type Profile } from './schema.js';

const profileWith = (pattern: string, example: string): Profile =>
  profileSchema.parse({ name: 'dn-rule', clientIdentity: { match: 'dn', pattern, example } });

/** A certificate whose subject the harness wrote from the profile's example, as a run issues it. */
async function subjectIssuedFor(profile: Profile): Promise<{ subject: string; findings: string[] }> {
  const m = await generate(specOf({ name: 'client/valid', issuer: 'self', subject: matrixOptionsFor(profile).clientSubject }));
  const facts = certificateFacts(new Uint8Array(new X509Certificate(m.certPem).raw));
  return { subject: facts.subject, findings: checkCertificate(facts, 'client', profile, { rules: ['identity'] }).map((f) => f.message) };
}

describe('a DN identity rule matches whatever the spelling of separators and types', () => {
  test.each([
    ['^CN=acme-7,O=x$', 'CN=acme-7,O=x'],
    ['^CN=acme-7, O=x$', 'CN=acme-7, O=x'],
    ['^cn=acme-7,o=x$', 'cn=acme-7,o=x'],
    ['^commonName=acme-[0-9]+,organizationName=x$', 'CN=acme-7,O=x'],
    ['^CN=acme-[0-9]+,\\s*O=x$', 'CN = acme-7 , O = x'],
  ])('pattern %s, example %s: the certificate issued for the example satisfies the rule', async (pattern, example) => {
    const profile = profileWith(pattern, example);
    const { subject, findings } = await subjectIssuedFor(profile);
    expect(subject).toBe('CN=acme-7, O=x');
    expect(findings).toEqual([]);
  });

  test('another subject still fails the rule, in either form', async () => {
    const profile = profileWith('^CN=acme-7,O=x$', 'CN=acme-7,O=x');
    for (const subject of ['CN=acme-8, O=x', 'CN=acme-7, O=y', 'CN=acme-7, O=x, OU=z', 'O=x, CN=acme-7']) expect(dnMatches('^CN=acme-7,O=x$', subject), subject).toBe(false);
    const facts = certificateFacts(new Uint8Array(new X509Certificate((await generate(specOf({ name: 'client/other', issuer: 'self', subject: 'CN=conformance-unexpected-identity, O=unknown party' }))).certPem).raw));
    expect(checkCertificate(facts, 'client', profile, { rules: ['identity'] })).toHaveLength(1);
  });

  test('an example that does not satisfy the pattern in any form is still refused by the schema', () => {
    expect(() => profileWith('^CN=acme-7,O=x$', 'CN=acme-8,O=x')).toThrow(/does not match clientIdentity.pattern/);
  });
});

describe('parseDn and its forms', () => {
  test('RFC 4514 strings: escapes, hex pairs, multi-valued RDNs, OIDs; types in normal form', () => {
    expect(parseDn('CN=a\\,b,O=x')).toEqual([[{ type: 'CN', value: 'a,b' }], [{ type: 'O', value: 'x' }]]);
    expect(parseDn('cn=a+ou=y, o=x')).toEqual([
      [
        { type: 'CN', value: 'a' },
        { type: 'OU', value: 'y' },
      ],
      [{ type: 'O', value: 'x' }],
    ]);
    expect(parseDn('2.5.4.3=Jos\\C3\\A9,OID.2.5.4.5=42')).toEqual([[{ type: 'CN', value: 'José' }], [{ type: '2.5.4.5', value: '42' }]]);
    expect(parseDn('CN=\\ padded\\ ,O=x')).toEqual([[{ type: 'CN', value: ' padded ' }], [{ type: 'O', value: 'x' }]]);
    for (const notDn of ['', 'hello', 'CN=a,', ',CN=a', 'CN=a\\', '=a', 'C N=a']) expect(parseDn(notDn), notDn).toBeNull();
  });

  test('forms: the text as read, then with ", " and with ","; normalDn writes a subject as it reads back', () => {
    expect(dnForms('CN=a\\, b, O=x')).toEqual(['CN=a\\, b, O=x', 'CN=a\\, b,O=x']);
    expect(dnForms('not a dn')).toEqual(['not a dn']);
    expect(normalDn('cn=a,o=x')).toBe('CN=a, O=x');
  });

  test('normalDnPattern touches only attribute types, never escapes, classes or values', () => {
    expect(normalDnPattern('^cn=acme-[0-9]+,o=x$')).toBe('^CN=acme-[0-9]+,O=x$');
    expect(normalDnPattern('^(?:cn=a|commonName=b), ?ou=c')).toBe('^(?:CN=a|CN=b), ?OU=c');
    expect(normalDnPattern('^CN=[a-z,cn=]+\\,o=x')).toBe('^CN=[a-z,cn=]+\\,o=x');
    expect(normalDnPattern('^CN=x,unknownType=y')).toBe('^CN=x,unknownType=y');
  });
});

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, test } from 'vitest';
import type { Report, ReportResult } from './report.js';
import { caseArea, renderJunit } from './junit-report.js';

const result = (id: string, over: Partial<ReportResult> = {}): ReportResult => ({
  id,
  title: id,
  severity: 'required',
  expect: 'reject',
  observed: { outcome: 'handshake-alert', alert: { code: 45, name: 'certificate_expired' }, httpStatus: null, tlsVersion: 'TLSv1.3', cipher: null, detail: 'alert 45', durationMs: 12 },
  verdict: 'pass',
  reason: 'refused',
  rationale: '',
  refs: [],
  ...over,
});

const report = (results: ReportResult[]): Report => ({
  schemaVersion: 1,
  tool: { name: 'mtls-conformance', version: '0.0.0', node: '24', openssl: '3' },
  target: { kind: 'url', url: 'https://127.0.0.1:8443' },
  profile: { name: 'intermediate', sha256: 'a'.repeat(64), source: 'builtin:intermediate' },
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 1500,
  summary: { pass: 0, fail: 0, inconclusive: 0, skip: 0, verdict: 'non-conformant' },
  results,
});

function parse(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true);
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testcase', 'property'].includes(name) }).parse(xml);
}

describe('junit.xml', () => {
  const xml = renderJunit(
    report([
      result('server/client-auth/expired'),
      result('server/client-auth/no-cert', { verdict: 'fail', reason: 'accepted (HTTP 200) <but> must be "refused" ]]> &' }),
      result('server/protocol/tls1.2', { verdict: 'inconclusive', reason: 'control refused' }),
      result('server/client-auth/eku-absent', { severity: 'recommended', verdict: 'fail', reason: 'accepted a certificate without EKU' }),
      result('server/client-auth/unexpected-identity', { severity: 'info', verdict: 'skip', reason: 'the profile has no clientIdentity rule' }),
      result('server/client-auth/rsa-1024', { verdict: 'fail', reason: 'accepted', waived: 'JIRA-1' }),
      result('client/server-auth/expired', { verdict: 'fail', reason: 'client printed \u0000\u001b[31m garbage' }),
    ]),
  );
  const doc = parse(xml);
  const suite = doc.testsuites.testsuite;
  const cases = Object.fromEntries(suite.testcase.map((t: { name: string }) => [t.name, t]));
  const props = (node: { properties: { property: { name: string; value: string }[] } }) => Object.fromEntries(node.properties.property.map((p) => [p.name, p.value]));

  test('one suite per target with the target and the profile hash as properties', () => {
    expect(props(suite)).toMatchObject({ target: 'https://127.0.0.1:8443', profile: 'intermediate', profileSha256: 'a'.repeat(64) });
    expect(suite.tests).toBe('7');
  });

  test('testcase = case id, classname = the area', () => {
    expect(cases['server/client-auth/expired'].classname).toBe('server.client-auth');
    expect(caseArea('client/certificate/key-strength')).toBe('client.certificate');
  });

  test('required non-passes are failures (fail and inconclusive), with the reason escaped by the library', () => {
    expect(cases['server/client-auth/no-cert'].failure.message).toBe('fail: accepted (HTTP 200) <but> must be "refused" ]]> &');
    expect(cases['server/protocol/tls1.2'].failure.type).toBe('inconclusive');
    expect(suite.failures).toBe('3');
    expect(xml).not.toMatch(/\n\s+at /);
  });

  test('a recommended finding is not a failure but is visible; a waived case never fails', () => {
    const eku = cases['server/client-auth/eku-absent'];
    expect(eku.failure).toBeUndefined();
    expect(props(eku).finding).toBe('recommended: accepted a certificate without EKU');
    expect(eku['system-out']).toMatch(/^RECOMMENDED FINDING \(fail; does not fail the run\)/);
    expect(cases['server/client-auth/rsa-1024'].failure).toBeUndefined();
    expect(props(cases['server/client-auth/rsa-1024']).waived).toBe('JIRA-1');
  });

  test('skips keep their reason', () => {
    expect(cases['server/client-auth/unexpected-identity'].skipped.message).toBe('the profile has no clientIdentity rule');
    expect(suite.skipped).toBe('1');
  });

  test('classname is the family the case names, when it names one', () => {
    const named = parse(renderJunit(report([result('client/deep/nc-dns-1', { family: 'client/name-constraints' })])));
    expect(named.testsuites.testsuite.testcase[0].classname).toBe('client.name-constraints');
  });

  test('no cause property when the control was accepted', () => {
    expect(props(suite).cause).toBeUndefined();
  });

  test("the cause of an inconclusive run: a testsuite property, and the control testcase's failure says it", () => {
    const cause = { case: 'client/server-auth/valid', text: 'the positive control client/server-auth/valid was not accepted (no connection): the client must trust /c/ca.pem', clientStderr: 'curl: (60) SSL certificate problem' };
    const xml = renderJunit({
      ...report([result('client/server-auth/valid', { expect: 'accept', verdict: 'inconclusive', reason: 'expected acceptance but observed no connection' }), result('client/server-auth/expired', { verdict: 'inconclusive', reason: 'the positive control was not accepted' })]),
      cause,
    });
    const s = parse(xml).testsuites.testsuite;
    expect(props(s)).toMatchObject({ cause: cause.text, clientStderr: cause.clientStderr });
    const control = s.testcase.find((t: { name: string }) => t.name === 'client/server-auth/valid');
    expect(control.failure.message).toBe(`inconclusive: ${cause.text}`);
    expect(control.failure['#text']).toContain('inconclusive: expected acceptance but observed no connection');
    expect(control.failure['#text']).toContain(`cause: ${cause.text}`);
    expect(control.failure['#text']).toContain('client stderr: curl: (60) SSL certificate problem');
    const other = s.testcase.find((t: { name: string }) => t.name === 'client/server-auth/expired');
    expect(other.failure.message).toBe('inconclusive: the positive control was not accepted');
  });

  test('control characters from a peer cannot make the file unparsable', () => {
    expect(cases['client/server-auth/expired'].failure.message).toBe('fail: client printed \uFFFD\uFFFD[31m garbage');
  });
});

import XMLBuilder from 'fast-xml-builder';
import { targetLabel, type Report } from './report.js';

/**
 * junit.xml from the results, built as data and serialised by a maintained XML library (escaping
 * is the library's, not ours): one testsuite per target (the target and the profile hash as
 * properties), one testcase per case id, classname = the case's area. A required case that did not
 * pass is a failure; a skip keeps its reason; a recommended or info finding is not a failure but
 * says so in its properties and output, so it is not a silent green. No stack lines.
 */

/** `server/client-auth/expired` -> `server.client-auth`: CI UIs group by classname. */
export function caseArea(id: string): string {
  return id.split('/').slice(0, -1).join('.');
}

type Node = Record<string, unknown>;
/** XML 1.0 allows no C0 control characters but tab, LF and CR: a hostile peer's text must not make the file unparsable. */
const xmlText = (s: string) => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD');
const properties = (pairs: [string, string][]): Node => ({ property: pairs.map(([name, value]) => ({ '@_name': name, '@_value': value })) });
const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** One target's <testsuite> as data, with its counts: a multi-target run's junit.xml holds one per target (harness/many/). */
export interface JunitSuite {
  suite: Record<string, unknown>;
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  durationMs: number;
}

export function renderJunit(report: Report): string {
  return renderJunitSuites([junitSuite(report)]);
}

export function junitSuite(report: Report): JunitSuite {
  let failures = 0;
  let skipped = 0;
  const testcases = report.results.map((r) => {
    // Waived cases never fail the run (judge.ts counts()).
    const deciding = r.severity === 'required' && !r.waived;
    const tc: Node = {
      '@_classname': caseArea(r.id),
      '@_name': r.id,
      '@_time': seconds(r.observed?.durationMs ?? 0),
      properties: properties([
        ['severity', r.severity],
        ['expect', r.expect],
        ['verdict', r.verdict],
        ...(r.verdict !== 'pass' && r.verdict !== 'skip' && !deciding ? [['finding', `${r.severity}: ${r.reason}`] as [string, string]] : []),
        ...(r.waived ? [['waived', r.waived] as [string, string]] : []),
      ]),
    };
    if (r.verdict === 'skip') {
      skipped++;
      tc.skipped = { '@_message': r.reason };
    } else if (r.verdict !== 'pass' && deciding) {
      failures++;
      tc.failure = { '@_message': `${r.verdict}: ${r.reason}`, '@_type': r.verdict, '#text': `${r.verdict}: ${r.reason}\nobserved: ${r.observed?.detail ?? 'nothing'}` };
    } else if (r.verdict !== 'pass') {
      tc['system-out'] = `${r.severity.toUpperCase()} FINDING (${r.verdict}; does not fail the run): ${r.reason}`;
    } else {
      tc['system-out'] = `pass: ${r.reason}`;
    }
    return tc;
  });
  const counts = { '@_tests': String(report.results.length), '@_failures': String(failures), '@_errors': '0', '@_skipped': String(skipped) };
  return {
    tests: report.results.length,
    failures,
    errors: 0,
    skipped,
    durationMs: report.durationMs,
    suite: {
        '@_name': `mtls-conformance ${targetLabel(report.target)}`,
        ...counts,
        '@_time': seconds(report.durationMs),
        '@_timestamp': report.startedAt,
        properties: properties([
          ['target', targetLabel(report.target)],
          ['profile', report.profile.name],
          ['profileSha256', report.profile.sha256],
          ['verdict', report.summary.verdict],
        ]),
        testcase: testcases,
    },
  };
}

/** junit.xml of one or more testsuites under one <testsuites>, whose counts are their sums. */
export function renderJunitSuites(suites: JunitSuite[]): string {
  const sum = (k: 'tests' | 'failures' | 'errors' | 'skipped' | 'durationMs') => suites.reduce((n, s) => n + s[k], 0);
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': 'mtls-conformance',
      '@_tests': String(sum('tests')),
      '@_failures': String(sum('failures')),
      '@_errors': String(sum('errors')),
      '@_skipped': String(sum('skipped')),
      '@_time': seconds(sum('durationMs')),
      testsuite: suites.map((s) => s.suite),
    },
  };
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, indentBy: '  ', suppressEmptyNode: true, processEntities: true });
  return xmlText(builder.build(doc));
}

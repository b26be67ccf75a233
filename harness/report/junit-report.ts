import junitModule, { type Builder } from 'junit-report-builder';
import type { Report } from './report.js';

/**
 * junit.xml from the results, through a maintained JUnit writer: one testsuite per target (the
 * target and the profile hash as properties), one testcase per case id, classname = the case's
 * area. A required case that did not pass is a failure; a recommended or info finding is not a
 * failure but says so in its output and properties, so it is not a silent green. No stack lines.
 */

/** `server/client-auth/expired` -> `server.client-auth`: CI UIs group by classname. */
export function caseArea(id: string): string {
  return id.split('/').slice(0, -1).join('.');
}

export function targetLabel(target: Report['target']): string {
  if (target.builtin) return `builtin:${String(target.builtin)}`;
  if (target.kind === 'container') return `image ${String(target.image)}`;
  if (target.kind === 'client-command') return `client command ${String(target.command)}`;
  return String(target.url);
}

// The package is CommonJS whose module.exports is the builder; its types describe an ES default.
const junit = junitModule as unknown as Builder;

export function renderJunit(report: Report): string {
  const b = junit.newBuilder();
  const suite = b
    .testSuite()
    .name(`mtls-conformance ${targetLabel(report.target)}`)
    .timestamp(report.startedAt)
    .time(report.durationMs / 1000)
    .property('target', targetLabel(report.target))
    .property('profile', report.profile.name)
    .property('profileSha256', report.profile.sha256)
    .property('verdict', report.summary.verdict);
  for (const r of report.results) {
    // Waived cases never fail the run (judge.ts counts()).
    const deciding = r.severity === 'required' && !r.waived;
    const tc = suite
      .testCase()
      .className(caseArea(r.id))
      .name(r.id)
      .time((r.observed?.durationMs ?? 0) / 1000)
      .property('severity', r.severity)
      .property('expect', r.expect)
      .property('verdict', r.verdict);
    const v = r;
    if (v.verdict === 'skip') {
      tc.skipped().property('skipReason', v.reason).standardOutput(`skip: ${v.reason}`);
    } else if (v.verdict !== 'pass' && deciding) {
      tc.failure(`${v.verdict}: ${v.reason}`, v.verdict);
    } else if (v.verdict !== 'pass') {
      tc.property('finding', `${r.severity}: ${v.reason}`).standardOutput(`${r.severity.toUpperCase()} FINDING (${v.verdict}, does not fail the run): ${v.reason}`);
    } else {
      tc.standardOutput(`pass: ${v.reason}`);
    }
  }
  return b.build();
}

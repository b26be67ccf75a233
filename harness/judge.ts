import type { Profile } from './profile/schema.js';
import type { CaseResult, Observation, ResolvedCase, Severity, Verdict, VerdictValue } from './model.js';

/**
 * Observations become verdicts here and nowhere else. Pure: the same case, observation,
 * profile and control give the same verdict, so a recorded run can be re-judged.
 */

export type Interpretation = 'accepted' | 'rejected' | 'unknown';

/** What an observation means under the profile's rejection rules (PRODUCT.md verdict rules). */
export function interpret(obs: Observation, profile: Profile): Interpretation {
  switch (obs.outcome) {
    case 'accepted':
      return 'accepted';
    case 'http-status':
      return obs.httpStatus !== null && profile.rejection.httpStatuses.includes(obs.httpStatus) ? 'rejected' : 'accepted';
    case 'handshake-alert':
    case 'post-handshake-alert':
    case 'tcp-reset':
    case 'closed-no-data':
      return 'rejected';
    case 'timeout':
    case 'harness-error':
      return 'unknown';
  }
}

/** Short human form of an observation: `alert 48 unknown_ca`, `HTTP 400`, `timeout`. */
export function describeObservation(obs: Observation): string {
  switch (obs.outcome) {
    case 'handshake-alert':
      return `handshake alert ${obs.alert?.code} ${obs.alert?.name}`;
    case 'post-handshake-alert':
      return `alert ${obs.alert?.code} ${obs.alert?.name} after the handshake`;
    case 'http-status':
      return `HTTP ${obs.httpStatus}`;
    case 'tcp-reset':
      return 'TCP reset';
    case 'closed-no-data':
      return 'closed without data';
    case 'accepted':
      return 'accepted';
    case 'timeout':
      return 'timeout';
    case 'harness-error':
      return `harness error`;
  }
}

export interface JudgeContext {
  /** Whether the positive control of this case's role was accepted; null when it did not run. */
  controlAccepted: boolean | null;
  /** What the control observed, for the reason of inconclusive rejections. */
  controlSummary?: string;
}

const verdict = (v: VerdictValue, reason: string): Verdict => ({ verdict: v, reason });

export function judge(c: ResolvedCase, obs: Observation | null, profile: Profile, ctx: JudgeContext): Verdict {
  if (c.skip) return verdict('skip', c.skip);
  if (!obs) return verdict('inconclusive', 'the case was not probed');

  if (c.expect === 'property') return judgeProperty(c, obs);

  const seen = describeObservation(obs);
  const meaning = interpret(obs, profile);
  if (meaning === 'unknown') {
    return verdict('inconclusive', `expected ${c.expect === 'accept' ? 'acceptance' : 'a refusal'} but observed ${seen}: ${obs.detail}`);
  }
  if (c.expect === 'accept') {
    return meaning === 'accepted'
      ? verdict('pass', `accepted (${seen})`)
      : verdict('fail', `refused (${seen}) but the profile expects acceptance: ${c.rationale}`);
  }
  // expect reject. Letting a bad certificate in is wrong whatever the control saw; a refusal only
  // means something once a valid certificate is known to get in.
  if (meaning === 'accepted') return verdict('fail', `accepted (${seen}) but must be refused: ${c.rationale}`);
  if (!c.positiveControl && ctx.controlAccepted !== true) {
    const why = ctx.controlAccepted === null ? 'did not run' : `was not accepted (${ctx.controlSummary ?? 'refused'})`;
    return verdict('inconclusive', `observed ${seen}, but the positive control ${why}, so a refusal proves nothing`);
  }
  return verdict('pass', `refused (${seen})`);
}

function judgeProperty(c: ResolvedCase, obs: Observation): Verdict {
  const peer = obs.peer;
  if (!peer) return verdict('inconclusive', `the handshake did not get far enough to see the target's certificate (${describeObservation(obs)})`);
  switch (c.property) {
    case 'peer-trusted':
      return peer.authorized
        ? verdict('pass', `chains to a trusted CA (issuer: ${peer.issuer})`)
        : verdict('fail', `not trusted: ${peer.authorizationError} (issuer: ${peer.issuer}); pass the CA that issued it with --target-ca`);
    case 'peer-hostname':
      return peer.hostnameMatches ? verdict('pass', `the certificate names the host (subject: ${peer.subject})`) : verdict('fail', peer.hostnameError ?? 'hostname mismatch');
    default:
      return verdict('inconclusive', `no rule to judge property ${String(c.property)}`);
  }
}

export interface Summary {
  pass: number;
  fail: number;
  inconclusive: number;
  skip: number;
  verdict: 'conformant' | 'non-conformant' | 'inconclusive';
}

/** Whether a result decides the run: required and not waived. */
export function counts(r: Pick<CaseResult, 'case'>): boolean {
  return r.case.severity === ('required' satisfies Severity) && !r.case.waived;
}

export function summarize(results: CaseResult[]): Summary {
  const s: Summary = { pass: 0, fail: 0, inconclusive: 0, skip: 0, verdict: 'conformant' };
  for (const r of results) s[r.verdict.verdict]++;
  const deciding = results.filter(counts);
  if (deciding.some((r) => r.verdict.verdict === 'fail')) s.verdict = 'non-conformant';
  else if (deciding.some((r) => r.verdict.verdict === 'inconclusive')) s.verdict = 'inconclusive';
  return s;
}

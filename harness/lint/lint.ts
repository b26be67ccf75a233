import { certificateFacts, type CertificateFacts } from '../policy/certificate-policy.js';
import type { LoadedProfile } from '../profile/load.js';
import type { Role, Severity } from '../model.js';
import { UsageError, quote } from '../errors.js';
import { PACKAGE_VERSION } from '../package-root.js';
import type { LintCheck } from './check.js';
import { readObjects, type LintObject } from './read-objects.js';
import { lintCaCertificate, lintLeafCertificate, type LintContext } from './lint-certificate.js';
import { csrFacts, lintCsr } from './lint-csr.js';
import { ekuNames } from './rule-check.js';

/**
 * `conformance lint`: certificates and CSRs in, a report out (data). Every input problem is found
 * before any check runs, so a usage error never follows half a report.
 */

export interface LintOptions {
  profile: LoadedProfile;
  /** --role: the role of every leaf and CSR; without it, inferred from the EKU. */
  role?: Role;
  host?: string;
  now?: number;
}

export interface LintFinding {
  file: string;
  index: number;
  subject: string;
  check: string;
  rule: string;
  severity: Severity;
  message: string;
}

export interface LintedObject {
  file: string;
  /** Position in the file, from 1. */
  index: number;
  kind: 'certificate' | 'csr';
  subject: string;
  /** The role whose policy applied; null for a CA certificate checked under both roles. */
  role: Role | null;
  /** How the role was decided: `--role`, `EKU clientAuth`, `leaf in the same file`. */
  roleFrom: string;
  ca: boolean;
  note: string | null;
  findings: LintFinding[];
  checks: LintCheck[];
}

export interface LintReport {
  schemaVersion: 1;
  tool: { name: 'mtls-conformance'; version: string };
  profile: { name: string; sha256: string; source: string };
  objects: LintedObject[];
  /** notChecked: checks that need a flag that was not given (--role, --host); they decide nothing. */
  summary: { objects: number; pass: number; fail: number; notChecked: number; requiredFail: number; verdict: 'conformant' | 'non-conformant' };
}

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** serverAuth only -> server, clientAuth only -> client; anything else needs --role. */
function inferRole(eku: string[] | null): Role | null {
  const server = eku?.includes(SERVER_AUTH) ?? false;
  const client = eku?.includes(CLIENT_AUTH) ?? false;
  return server === client ? null : server ? 'server' : 'client';
}

interface Planned {
  object: LintObject;
  subject: string;
  facts: CertificateFacts | null;
  eku: string[] | null;
  ca: boolean;
  role: Role | null;
  roleFrom: string;
}

function plan(objects: LintObject[], opts: LintOptions): Planned[] {
  const planned: Planned[] = objects.map((object) => {
    if (object.kind === 'csr') {
      const facts = csrFacts(object.csr);
      const role = opts.role ?? inferRole(facts.eku);
      const roleFrom = opts.role ? '--role' : role ? `requested EKU ${ekuNames(facts.eku)}` : `no role: requested EKU ${ekuNames(facts.eku)}, no --role`;
      return { object, subject: facts.subject, facts: null, eku: facts.eku, ca: false, role, roleFrom };
    }
    const facts = certificateFacts(object.cert.raw);
    const role = opts.role ?? inferRole(facts.eku);
    return { object, subject: facts.subject, facts, eku: facts.eku, ca: object.cert.ca, role, roleFrom: opts.role ? '--role' : `EKU ${ekuNames(facts.eku)}` };
  });
  // A certificate given with --role is presented in that role: a cA TRUE certificate that issued
  // none of the others given (a self-signed `openssl req -x509` server certificate) is linted as an
  // end entity of that role, and its cA TRUE is a finding (RFC 5280 §4.2.1.9), not a reason to skip the leaf rules.
  if (opts.role) {
    for (const p of planned.filter((x) => x.ca && x.object.kind === 'certificate')) {
      const cert = (p.object as Extract<LintObject, { kind: 'certificate' }>).cert;
      const issuedOther = planned.some((q) => q !== p && q.object.kind === 'certificate' && q.object.cert.fingerprint256 !== cert.fingerprint256 && q.object.cert.checkIssued(cert));
      if (!issuedOther) {
        p.ca = false;
        p.roleFrom = '--role (basicConstraints cA TRUE, but it issued none of the certificates given)';
      }
    }
  }
  for (const p of planned) {
    if (p.ca) continue;
    // A CSR's role-dependent checks are reported as not checked instead (lintCsr).
    if (p.role === null && p.object.kind === 'csr') continue;
    if (p.role === null) {
      const verb = p.object.kind === 'csr' ? 'requests' : 'has';
      const why = p.eku === null ? `${verb} no EKU, so its role cannot be inferred` : `${verb} EKU ${ekuNames(p.eku)}, so its role is ambiguous`;
      throw new UsageError('lint-role-unknown', `error: lint: ${quote(p.object.file)} object ${p.object.index} (${p.subject || 'empty subject'}) ${why}. Pass --role server or --role client.`);
    }
  }
  // A CA has no role of its own: its signature is judged by the policy of the leaves it issues.
  for (const p of planned.filter((x) => x.ca)) {
    const leafRoles = [...new Set(planned.filter((x) => !x.ca && x.object.file === p.object.file && x.object.kind === 'certificate').map((x) => x.role!))];
    if (opts.role) p.role = opts.role;
    else if (leafRoles.length === 1) {
      p.role = leafRoles[0]!;
      p.roleFrom = 'leaf in the same file';
    } else {
      p.role = null;
      p.roleFrom = 'no single leaf role in the file: both roles';
    }
  }
  return planned;
}

export async function lint(files: string[], opts: LintOptions): Promise<LintReport> {
  const objects = files.flatMap((f) => readObjects(f));
  const planned = plan(objects, opts);
  const { profile } = opts.profile;
  const ctx: LintContext = { profile, host: opts.host, now: opts.now ?? Date.now() };
  const linted: LintedObject[] = [];
  for (const p of planned) {
    const o = p.object;
    let checks: LintCheck[];
    let note: string | null = null;
    if (o.kind === 'csr') {
      checks = await lintCsr(o.csr, p.role, ctx);
      const skipped = checks.filter((c) => c.status === 'not-checked').map((c) => c.check);
      const flags = [...(p.role === null ? ['--role'] : []), ...(skipped.includes('cn-equals-host') ? ['--host'] : [])];
      if (skipped.length) note = `not checked: ${skipped.join(', ')}; pass ${flags.join(' and ')} to check them`;
    } else {
      const r = p.ca ? lintCaCertificate(o.cert, p.facts!, p.role ? [p.role] : ['server', 'client'], ctx) : lintLeafCertificate(o.cert, p.facts!, p.role!, ctx);
      checks = r.checks;
      note = r.note;
    }
    const findings = checks
      .filter((c) => c.status === 'fail')
      .map((c) => ({ file: o.file, index: o.index, subject: p.subject, check: c.check, rule: c.rule, severity: c.severity, message: c.message }));
    linted.push({ file: o.file, index: o.index, kind: o.kind, subject: p.subject || '(empty subject)', role: p.role, roleFrom: p.roleFrom, ca: p.ca, note, findings, checks });
  }
  const all = linted.flatMap((o) => o.checks);
  const fail = all.filter((c) => c.status === 'fail');
  const notCheckedCount = all.filter((c) => c.status === 'not-checked').length;
  const requiredFail = fail.filter((c) => c.severity === 'required').length;
  return {
    schemaVersion: 1,
    tool: { name: 'mtls-conformance', version: PACKAGE_VERSION },
    profile: { name: profile.name, sha256: opts.profile.sha256, source: opts.profile.source },
    objects: linted,
    summary: { objects: linted.length, pass: all.length - fail.length - notCheckedCount, fail: fail.length, notChecked: notCheckedCount, requiredFail, verdict: requiredFail > 0 ? 'non-conformant' : 'conformant' },
  };
}

/** 0: no required finding; 1: at least one (usage errors are thrown, exit 2). */
export function lintExitCode(report: LintReport): 0 | 1 {
  return report.summary.requiredFail > 0 ? 1 : 0;
}

import { certificateFacts, type CertificateFacts } from '../policy/certificate-policy.js';
import type { LoadedProfile } from '../profile/load.js';
import type { Role, Severity } from '../model.js';
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
  /** --role: the role of every leaf and CSR; without it, inferred from the EKU, else both roles are checked. */
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
  /** The role whose policy applied; null when none was given or inferred: checked under both roles. */
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

/** serverAuth only -> server, clientAuth only -> client; anything else: no role (both are checked). */
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

/** Whether `issuer` signed another certificate among those given: only such a certificate is linted as a CA. */
function issuedAnother(issuer: Extract<LintObject, { kind: 'certificate' }>, objects: LintObject[]): boolean {
  return objects.some((q) => {
    if (q.kind !== 'certificate' || q.cert.fingerprint256 === issuer.cert.fingerprint256 || !q.cert.checkIssued(issuer.cert)) return false;
    try {
      return q.cert.verify(issuer.cert.publicKey);
    } catch {
      return false;
    }
  });
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
    let roleFrom = opts.role ? '--role' : role ? `EKU ${ekuNames(facts.eku)}` : `no role: EKU ${ekuNames(facts.eku)}, no --role`;
    // A cA TRUE certificate that issued none of the certificates given (a self-signed `openssl req
    // -x509` certificate) is linted as an end entity, and its cA TRUE is a finding (RFC 5280
    // §4.2.1.9). Only one that issued another certificate in the input is linted as a CA.
    const ca = object.cert.ca && issuedAnother(object, objects);
    if (object.cert.ca && !ca) roleFrom += '; cA TRUE, but it issued none of the certificates given: linted as an end entity';
    return { object, subject: facts.subject, facts, eku: facts.eku, ca, role, roleFrom };
  });
  // A CA has no role of its own: its signature is judged by the policy of the leaves it issues.
  for (const p of planned.filter((x) => x.ca)) {
    const leafRoles = [...new Set(planned.filter((x) => !x.ca && x.object.file === p.object.file && x.object.kind === 'certificate' && x.role !== null).map((x) => x.role!))];
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
    } else {
      const r = p.ca ? lintCaCertificate(o.cert, p.facts!, p.role ? [p.role] : ['server', 'client'], ctx) : lintLeafCertificate(o.cert, p.facts!, p.role, ctx);
      checks = r.checks;
      note = r.note;
    }
    const skipped = checks.filter((c) => c.status === 'not-checked').map((c) => c.check);
    // cn-equals-host waits for --host; every other not-checked row waits for --role.
    const flags = [...(skipped.some((c) => c !== 'cn-equals-host') ? ['--role'] : []), ...(skipped.includes('cn-equals-host') ? ['--host'] : [])];
    if (skipped.length) note = [note, `not checked: ${skipped.join(', ')}; pass ${flags.join(' and ')} to check them`].filter(Boolean).join('; ');
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

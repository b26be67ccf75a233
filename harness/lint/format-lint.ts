import { colorEnabled } from '../io/color.js';
import type { LintReport, LintedObject } from './lint.js';

/** The terminal view of a lint report: a table per object (one line per check), then one summary line. */

// NO_COLOR, FORCE_COLOR and TERM=dumb as io/color.ts reads them.
const useColor = (): boolean => colorEnabled(process.stdout);

function paint(text: string, code: number): string {
  return useColor() ? `\x1b[${code}m${text}\x1b[0m` : text;
}

function formatObject(o: LintedObject, count: number): string {
  const kind = o.kind === 'csr' ? 'CSR' : o.ca ? 'CA certificate' : 'certificate';
  const role = o.role ? `role ${o.role} (${o.roleFrom})` : o.roleFrom;
  const head = `${o.file} · object ${o.index} of ${count} · ${kind} ${JSON.stringify(o.subject)} · ${role}`;
  const checkWidth = Math.max(...o.checks.map((c) => c.check.length));
  const ruleWidth = Math.max(...o.checks.map((c) => c.rule.length));
  const rows = o.checks.map((c) => {
    const status = c.status === 'pass' ? paint('PASS', 32) : c.status === 'not-checked' ? paint('----', 2) : paint('FAIL', c.severity === 'required' ? 31 : 33);
    const sev = c.severity === 'required' ? '' : ` (${c.severity})`;
    return `  ${status}  ${c.check.padEnd(checkWidth)}  ${c.rule.padEnd(ruleWidth)}  ${c.message}${sev}`;
  });
  return [head, ...rows, ...(o.note ? [`  note: ${o.note}`] : [])].join('\n');
}

export function formatLint(report: LintReport): string {
  const perFile = new Map<string, number>();
  for (const o of report.objects) perFile.set(o.file, (perFile.get(o.file) ?? 0) + 1);
  const files = perFile.size;
  const head = `mtls-conformance ${report.tool.version} · lint ${files} file${files === 1 ? '' : 's'} · profile ${report.profile.name} (sha256 ${report.profile.sha256.slice(0, 12)})`;
  const tables = report.objects.map((o) => formatObject(o, perFile.get(o.file)!));
  const s = report.summary;
  const checks = s.pass + s.fail + (s.notChecked ?? 0);
  // As in `run`: say how many failures decide the outcome when some are only advice.
  const fails = s.fail > s.requiredFail ? `${s.fail} fail (${s.requiredFail} required)` : `${s.fail} fail`;
  const verdict = paint(s.verdict.toUpperCase(), s.verdict === 'conformant' ? 32 : 31);
  const skipped = s.notChecked ? `, ${s.notChecked} not checked` : '';
  const summary = `${s.objects} object${s.objects === 1 ? '' : 's'}, ${checks} checks: ${s.pass} pass, ${fails}${skipped} · ${verdict}`;
  return [head, '', tables.join('\n\n'), '', summary].join('\n');
}

import { colorEnabled } from '../io/color.js';
import { describeObservation } from '../judge.js';
import type { Report } from './report.js';
import type { CaseResult, VerdictValue } from '../model.js';

/** The terminal summary: one line per case (expected, observed, verdict), then one summary line. */

// NO_COLOR, FORCE_COLOR and TERM=dumb as io/color.ts reads them.
const useColor = (): boolean => colorEnabled(process.stdout);

const COLORS: Record<VerdictValue, number> = { pass: 32, fail: 31, inconclusive: 33, skip: 90 };

function paint(text: string, code: number): string {
  return useColor() ? `\x1b[${code}m${text}\x1b[0m` : text;
}

export function formatResultLine(r: CaseResult, idWidth: number): string {
  const v = r.verdict.verdict;
  const label = paint(v.toUpperCase().padEnd(12), COLORS[v]);
  const sev = r.case.severity === 'required' ? '' : ` (${r.case.severity})`;
  const expect = r.case.expect === 'property' ? 'check' : `expect ${r.case.expect}`;
  const observed = r.observation && r.case.expect !== 'property' ? `observed ${describeObservation(r.observation)}` : '';
  // A waiver that is no longer needed is said out loud, so waivers do not rot.
  const waived = r.case.waived ? (v === 'pass' ? ` [waived: ${r.case.waived}; now passes: remove the waiver]` : ` [waived: ${r.case.waived}]`) : '';
  const head = `${label} ${r.case.id.padEnd(idWidth)}  ${expect.padEnd(13)} ${observed}`.trimEnd();
  const tail = v === 'pass' ? '' : `\n${' '.repeat(13)}${r.verdict.reason}${sev}${waived}`;
  return `${head}${v === 'pass' && (sev || waived) ? `${sev}${waived}` : ''}${tail}`;
}

export function formatSummaryLine(report: Report, reportPath?: string): string {
  const s = report.summary;
  const color = s.verdict === 'conformant' ? 32 : s.verdict === 'non-conformant' ? 31 : 33;
  const where = reportPath ? ` · report: ${reportPath}` : '';
  // Say how many failures decide the run: a recommended or waived fail is reported, not failing.
  const deciding = report.results.filter((r) => r.verdict === 'fail' && r.severity === 'required' && !r.waived).length;
  const fails = s.fail > deciding ? `${s.fail} fail (${deciding} required)` : `${s.fail} fail`;
  return `${report.results.length} cases: ${s.pass} pass, ${fails}, ${s.inconclusive} inconclusive, ${s.skip} skip · ${paint(s.verdict.toUpperCase(), color)} · ${(report.durationMs / 1000).toFixed(2)} s${where}`;
}

export function formatResults(results: CaseResult[]): string {
  const width = Math.max(...results.map((r) => r.case.id.length));
  return results.map((r) => formatResultLine(r, width)).join('\n');
}

import type { Severity } from '../model.js';
import type { Finding } from '../policy/certificate-policy.js';

/**
 * One lint check of one object: which check ran, the rule it enforces (a profile field such as
 * `certificates.client.minRsaBits`, or a clause such as `RFC 5280 §4.1.2.5`), and the outcome.
 * A failing check is a finding.
 */
export interface LintCheck {
  /** Short name of the check: `key-strength`, `csr-signature`, ... */
  check: string;
  rule: string;
  /** not-checked: the check needs a flag that was not given (the message names it); it decides nothing. */
  status: 'pass' | 'fail' | 'not-checked';
  severity: Severity;
  message: string;
}

export function passed(check: string, rule: string, message: string, severity: Severity = 'required'): LintCheck {
  return { check, rule, status: 'pass', severity, message };
}

export function notChecked(check: string, rule: string, message: string, severity: Severity = 'required'): LintCheck {
  return { check, rule, status: 'not-checked', severity, message };
}

export function failed(check: string, rule: string, message: string, severity: Severity = 'required'): LintCheck {
  return { check, rule, status: 'fail', severity, message };
}

/**
 * A check made by a policy rule (certificate-policy RULES): the rule's finding when it fails,
 * otherwise `rule` and `message` describing what was checked.
 */
export function fromFinding(check: string, finding: Finding | null, whenPassed: { rule: string; message: string }, severity: Severity = 'required'): LintCheck {
  return finding ? failed(check, finding.rule, finding.message, severity) : passed(check, whenPassed.rule, whenPassed.message, severity);
}

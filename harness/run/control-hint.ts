import { join } from 'node:path';
import { describeObservation } from '../judge.js';
import type { CaseResult } from '../model.js';

/** Why the positive control failed, and what to do, in one line. */
export function controlFailure(control: CaseResult, certsDir: string): string {
  const obs = control.observation;
  const seen = obs ? describeObservation(obs) : 'no observation';
  const trust = join(certsDir, 'trust', 'client-ca.pem');
  const alert = obs?.alert?.name ?? '';
  let next: string;
  if (['unknown_ca', 'bad_certificate', 'certificate_unknown', 'unsupported_certificate', 'access_denied', 'decrypt_error'].includes(alert) || obs?.outcome === 'http-status' || obs?.outcome === 'closed-no-data' || obs?.outcome === 'tcp-reset') {
    next = `the target does not accept the harness's valid client certificate: configure it to trust ${trust} (see ${join(certsDir, 'README.txt')})${obs?.outcome === 'http-status' ? ' or check --http-path' : ''}`;
  } else if (alert === 'protocol_version' || alert === 'handshake_failure') {
    next = 'the target and the harness share no protocol version or cipher suite (the harness offers TLS 1.2 and 1.3 with the default suites)';
  } else if (obs?.outcome === 'timeout') {
    next = 'the target did not answer in time: raise --timeout or check --http-path';
  } else {
    next = 'see the case detail in the report';
  }
  return `error: the positive control server/client-auth/valid was not accepted (${seen}), so no rejection can be judged: ${next}.`;
}


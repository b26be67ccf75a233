import type { Alert } from '../model.js';
/**
 * TLS alert numbers by name (RFC 8446 §6, RFC 5246 §7.2, RFC 7507, RFC 8449). OpenSSL reports an
 * alert as an error code ending in `ALERT_<NAME>`; the prefix differs between OpenSSL 3.0
 * (`ERR_SSL_SSLV3_ALERT_…`, `ERR_SSL_TLSV1_ALERT_…`) and 3.5 (`ERR_SSL_SSL/TLS_ALERT_…`), so only
 * the suffix is matched.
 */
export const ALERTS: Readonly<Record<string, number>> = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  decryption_failed: 21,
  record_overflow: 22,
  decompression_failure: 30,
  handshake_failure: 40,
  no_certificate: 41,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  export_restriction: 60,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  no_renegotiation: 100,
  missing_extension: 109,
  unsupported_extension: 110,
  certificate_unobtainable: 111,
  unrecognized_name: 112,
  bad_certificate_status_response: 113,
  bad_certificate_hash_value: 114,
  unknown_psk_identity: 115,
  certificate_required: 116,
  no_application_protocol: 120,
};

const BY_CODE = new Map(Object.entries(ALERTS).map(([name, code]) => [code, name]));

export type { Alert } from '../model.js';

export function alertByCode(code: number): Alert {
  return { code, name: BY_CODE.get(code) ?? `unknown_alert_${code}` };
}

/**
 * The alert an error reports, from its code (`ERR_SSL_TLSV1_ALERT_UNKNOWN_CA`) or, failing
 * that, its message (`… tlsv1 alert unknown ca …`). Null when the error is not an alert.
 */
export function alertFromError(err: { code?: string; message?: string }): Alert | null {
  const fromCode = /ALERT_([A-Z0-9_]+)$/.exec(err.code ?? '');
  let name = fromCode?.[1]?.toLowerCase();
  if (!name) {
    const fromMessage = /alert ([a-z0-9 ]+?)(?::|$)/i.exec(err.message ?? '');
    name = fromMessage?.[1]?.trim().toLowerCase().replace(/ /g, '_');
  }
  if (!name) return null;
  // OpenSSL's reason for alert 41/42 under SSLv3 naming; same number either way.
  const code = ALERTS[name];
  if (code === undefined) {
    const m = /^(?:reason\()?(\d+)\)?$/.exec(name) ?? /number_(\d+)$/.exec(name);
    return m ? alertByCode(Number(m[1])) : null;
  }
  return { code, name };
}

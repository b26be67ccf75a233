import { expect, test } from 'vitest';
import { alertFromError } from './alerts.js';

test('alerts map from OpenSSL 3.0 and 3.5 error codes to the same number', () => {
  expect(alertFromError({ code: 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED' })).toEqual({ code: 45, name: 'certificate_expired' });
  expect(alertFromError({ code: 'ERR_SSL_SSL/TLS_ALERT_CERTIFICATE_EXPIRED' })).toEqual({ code: 45, name: 'certificate_expired' });
  expect(alertFromError({ code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA' })).toEqual({ code: 48, name: 'unknown_ca' });
  expect(alertFromError({ code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' })).toEqual({ code: 116, name: 'certificate_required' });
  expect(alertFromError({ code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE' })).toEqual({ code: 40, name: 'handshake_failure' });
  expect(alertFromError({ message: 'error:0A000418:SSL routines::tlsv1 alert unknown ca' })).toEqual({ code: 48, name: 'unknown_ca' });
});

test('errors that are not alerts are not alerts', () => {
  expect(alertFromError({ code: 'ECONNRESET', message: 'read ECONNRESET' })).toBeNull();
  expect(alertFromError({ code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'wrong version number' })).toBeNull();
});

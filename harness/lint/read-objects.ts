import 'reflect-metadata';
import { webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { UsageError, quote } from '../errors.js';
import { READ_LIMITS, readBoundedSync } from '../io/read-bounded.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/**
 * What lint reads: every certificate and certificate request in a file. PEM files may hold many
 * (bundles); a DER file holds one. Other PEM blocks (keys, parameters) are not lint's business.
 */

export type LintObject =
  | { kind: 'certificate'; file: string; index: number; cert: X509Certificate }
  | { kind: 'csr'; file: string; index: number; csr: x509.Pkcs10CertificateRequest };

// RFC 7468 §5.1 and §7; "X509 CERTIFICATE" and "NEW CERTIFICATE REQUEST" are older labels still written by some tools.
const CERT_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE']);
const CSR_LABELS = new Set(['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

function nothingThere(file: string): UsageError {
  return new UsageError('lint-no-object', `lint: ${quote(file)} holds no certificate or certificate request (PEM or DER). Pass a certificate or a CSR.`);
}

function parse(kind: 'certificate' | 'csr', der: Buffer, file: string, index: number): LintObject {
  // Only the structure is parsed here; signatures and policy are the checks' business.
  return kind === 'certificate' ? { kind, file, index, cert: new X509Certificate(der) } : { kind, file, index, csr: new x509.Pkcs10CertificateRequest(der) };
}

function fromPem(text: string, file: string): LintObject[] {
  const objects: LintObject[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) {
    const label = m[1]!;
    const kind = CERT_LABELS.has(label) ? 'certificate' : CSR_LABELS.has(label) ? 'csr' : null;
    if (!kind) continue;
    const index = objects.length + 1;
    const body = m[2]!.replace(/\s+/g, '');
    try {
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new Error('the body is not base64');
      objects.push(parse(kind, Buffer.from(body, 'base64'), file, index));
    } catch (err) {
      throw new UsageError(
        'lint-unparseable',
        `lint: ${quote(file)} object ${index} (PEM "${label}") is not a well-formed ${kind === 'csr' ? 'PKCS#10 request' : 'X.509 certificate'}: ${(err as Error).message.split('\n')[0]}. Check the file is complete and not corrupted.`,
      );
    }
  }
  return objects;
}

function fromDer(bytes: Buffer, file: string): LintObject[] {
  // DER of either starts with a SEQUENCE; anything else (text, a key in another format) is not ours.
  if (bytes[0] !== 0x30) return [];
  for (const kind of ['certificate', 'csr'] as const) {
    try {
      return [parse(kind, bytes, file, 1)];
    } catch {
      // not this kind; try the next
    }
  }
  return [];
}

export function readObjects(file: string): LintObject[] {
  // Bounded: `lint /dev/zero` or a mistyped path to a disk image ends in one line, not in swap.
  const bytes = readBoundedSync(file, { maxBytes: READ_LIMITS.pem, label: 'lint:', code: 'lint' });
  const text = bytes.toString('latin1');
  const objects = text.includes('-----BEGIN ') ? fromPem(text, file) : fromDer(bytes, file);
  if (objects.length === 0) throw nothingThere(file);
  return objects;
}

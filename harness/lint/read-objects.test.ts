import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { generate, type Material } from '../../certs/generate.js';
import { specOf } from '../../certs/spec.js';
import { generateCsr, type CsrMaterial } from '../../certs/csr.js';
import { UsageError } from '../errors.js';
import { readObjects } from './read-objects.js';

// What lint reads from a file: every certificate and CSR, in file order, whatever else is around them.
const dir = mkdtempSync(join(tmpdir(), 'mtls-read-objects-'));
const put = (name: string, content: string | Uint8Array) => {
  writeFileSync(join(dir, name), content);
  return join(dir, name);
};
let cert: Material;
let csr: CsrMaterial;
beforeAll(async () => {
  cert = await generate(specOf({ name: 'c', issuer: 'self', subject: 'CN=read-objects' }));
  csr = await generateCsr({ subject: 'CN=read-objects-csr' });
});

describe('readObjects', () => {
  test('a mixed PEM file: certificates and CSRs in order, keys and text skipped, indexes from 1', () => {
    const file = put('mixed.pem', `leading text\n${cert.keyPem}${csr.csrPem}between\n${cert.certPem}`);
    const objects = readObjects(file);
    expect(objects.map((o) => [o.kind, o.index, o.file])).toEqual([
      ['csr', 1, file],
      ['certificate', 2, file],
    ]);
  });

  test('CRLF line ends and the legacy "NEW CERTIFICATE REQUEST" label', () => {
    const legacy = csr.csrPem.replace(/CERTIFICATE REQUEST/g, 'NEW CERTIFICATE REQUEST').replace(/\n/g, '\r\n');
    const objects = readObjects(put('legacy.csr', legacy));
    expect(objects).toHaveLength(1);
    expect(objects[0]!.kind === 'csr' && objects[0]!.csr.subject).toBe('CN=read-objects-csr');
  });

  test('DER: a certificate or a CSR', () => {
    const [c] = readObjects(put('c.der', new Uint8Array(Buffer.from(cert.certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64'))));
    expect(c!.kind === 'certificate' && c!.cert.subject).toBe('CN=read-objects');
    const [r] = readObjects(put('r.der', csr.csrDer));
    expect(r!.kind).toBe('csr');
  });

  test('a truncated DER file is not a certificate', () => {
    expect(() => readObjects(put('short.der', csr.csrDer.slice(0, 40)))).toThrow(UsageError);
  });
});

/**
 * Key material out of anything a target printed, before it reaches an observation, a message or
 * a report file (junit.xml included). A client under test may print its private key (a debug
 * line, a careless `cat`); that is a finding about the client, and the key itself must go no
 * further than the pipe it came through.
 */

export const REDACTED = '[private key redacted]';

// RFC 7468 labels of private keys: PRIVATE KEY, ENCRYPTED PRIVATE KEY, RSA/EC/DSA/OPENSSH PRIVATE KEY, ...
const LABEL = '[A-Z0-9 ]*PRIVATE KEY';
const FULL_BLOCK = new RegExp(`-----BEGIN ${LABEL}-----[\\s\\S]*?-----END ${LABEL}-----`, 'g');
// A block cut by the tail of the output: a BEGIN without its END runs to the end, an END without
// its BEGIN starts at the beginning.
const OPEN_BLOCK = new RegExp(`-----BEGIN ${LABEL}-----[\\s\\S]*$`);
const CLOSE_BLOCK = new RegExp(`^[\\s\\S]*?-----END ${LABEL}-----`);
// Base64 long enough to be a key, as a PEM body line run or one long line.
const BASE64_RUN = /[A-Za-z0-9+/]{60,}={0,2}(?:\s*[A-Za-z0-9+/]{4,}={0,2})*/g;

/**
 * DER private keys start `SEQUENCE { INTEGER 0 ...` (PKCS#8, PKCS#1 RSA) or `SEQUENCE { INTEGER 1,
 * OCTET STRING` (SEC1 EC): a certificate starts `SEQUENCE { SEQUENCE`, so it is left alone.
 */
function looksLikeDerKey(base64: string): boolean {
  const der = Buffer.from(base64.replace(/\s+/g, '').slice(0, 16), 'base64');
  if (der[0] !== 0x30) return false;
  const lenBytes = der[1]! & 0x80 ? der[1]! & 0x7f : 0;
  const i = 2 + lenBytes;
  return der[i] === 0x02 && der[i + 1] === 0x01 && (der[i + 2] === 0x00 || (der[i + 2] === 0x01 && der[i + 3] === 0x04));
}

export interface Redacted {
  text: string;
  /** Whether anything was redacted: the target printed key material. */
  found: boolean;
}

/** Remove private keys (PEM blocks, whole or cut, and base64 DER keys) and the given known keys' bodies. */
export function redactKeyMaterial(text: string, knownKeysPem: string[] = []): Redacted {
  let found = false;
  const mark = () => {
    found = true;
    return REDACTED;
  };
  let out = text.replace(FULL_BLOCK, mark).replace(OPEN_BLOCK, mark).replace(CLOSE_BLOCK, mark);
  for (const pem of knownKeysPem) {
    for (const line of pem.split('\n')) {
      const body = line.trim();
      if (body.length >= 32 && !body.startsWith('-----') && out.includes(body)) out = out.split(body).join(mark());
    }
  }
  out = out.replace(BASE64_RUN, (run) => (looksLikeDerKey(run) ? mark() : run));
  // Anything that still names a PEM private key label (a header alone) is neutralised, so no report
  // check has to refuse a whole report for one line of a client's output.
  out = out.replace(/-----(BEGIN|END) ([A-Z0-9 ]*)PRIVATE KEY-----/g, mark).replace(/PRIVATE KEY/g, 'private key');
  return { text: out, found };
}

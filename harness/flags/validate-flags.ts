import { readdirSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { basename, dirname, resolve } from 'node:path';
import { closestMatch } from '../did-you-mean.js';
import { UsageError, quote } from '../errors.js';

/**
 * Validators for flags whose values reach the wire or the disk. Each returns the value or throws
 * one line that quotes it and says what is allowed. The commander parsers (third argument of
 * `.option`) wrap them in InvalidArgumentError, which the CLI prints as a usage error (exit 2).
 */

/** Printable form of a value for a message: control characters shown as \uXXXX, long values cut. */
export function showValue(value: string, max = 120): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  return quote(cut);
}

// RFC 9110 §5.6.2: token = 1*tchar; tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** --http-method: an RFC 9110 method token (GET, POST, a custom one), nothing that could split a request line. */
export function validateHttpMethod(value: string): string {
  if (value.length === 0 || value.length > 64 || !TOKEN.test(value)) {
    throw new UsageError(
      'http-method-invalid',
      `--http-method ${showValue(value)} is not an HTTP method: a method is a token of letters, digits and !#$%&'*+-.^_\`|~ (RFC 9110 §9.1), without spaces or line breaks. Use e.g. GET or POST.`,
    );
  }
  return value;
}

// RFC 9112 §3.2.1 origin-form = absolute-path [ "?" query ]; RFC 3986 pchar / query characters, and "%" escapes.
const ORIGIN_FORM = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*(\?[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*)?$/;

/** --http-path: an origin-form request target (`/path?query`), percent-encoded; no spaces, CR, LF or other control characters. */
export function validateHttpPath(value: string): string {
  const problem = /[\r\n]/.test(value)
    ? 'a line break'
    : /[\x00-\x1f\x7f]/.test(value)
      ? 'a control character'
      : / /.test(value)
        ? 'a space'
        : !value.startsWith('/')
          ? 'no leading "/"'
          : value.length > 8192
            ? 'more than 8192 characters'
            : !ORIGIN_FORM.test(value) || /%(?![0-9A-Fa-f]{2})/.test(value)
              ? 'a character that must be percent-encoded'
              : null;
  if (problem) {
    throw new UsageError(
      'http-path-invalid',
      `--http-path ${showValue(value)} is not a request path: it has ${problem}. Pass an origin-form target such as /health or /api/v1/ping?x=1 (RFC 9112 §3.2.1), percent-encoding anything else (a space is %20).`,
    );
  }
  return value;
}

/**
 * Adapt a validator to commander's option parser. Its UsageError passes through commander
 * untouched (only InvalidArgumentError is reformatted, and that would paste the raw value, CR/LF
 * and all, into the message), so the user sees our one line with the value escaped; exit 2.
 */
export function asOptionParser(validate: (value: string) => string): (value: string) => string {
  return (value) => validate(value);
}

// RFC 1123 §2.1 host names: labels of letters, digits and hyphens, 1-63 characters, not starting or
// ending with a hyphen; 253 characters in all. "*." as the first label for a wildcard (RFC 6125 §6.4.3).
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** certs init --host: a DNS name or an IP address, nothing that would put junk into a SAN. */
export function validateHostName(value: string, flag = '--host'): string {
  const bare = value.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare)) return bare;
  const name = bare.endsWith('.') ? bare.slice(0, -1) : bare;
  const labels = name.split('.');
  const ok = name.length > 0 && name.length <= 253 && labels.every((l, i) => LABEL.test(l) || (i === 0 && l === '*' && labels.length > 2));
  if (!ok) {
    throw new UsageError(
      'host-invalid',
      `${flag} ${showValue(value)} is neither a DNS name nor an IP address (letters, digits, "-" and "." only, labels of 1-63 characters; an IDN as its xn-- form). Pass e.g. ${flag} api.example.com or ${flag} 10.0.0.5.`,
    );
  }
  return name;
}

/**
 * --servername: the name sent as SNI and checked against the target's certificate. SNI carries a
 * DNS host name, never an IP address literal or a wildcard (RFC 6066 §3); an IP address is
 * accepted here as the hostname-check name (no SNI is then sent).
 */
export function validateServerName(value: string): string {
  const name = validateHostName(value, '--servername');
  if (name.includes('*')) {
    throw new UsageError('servername-invalid', `--servername ${showValue(value)} is a wildcard; SNI names one host (RFC 6066 §3). Pass the host name the target's certificate is for, e.g. --servername api.example.com.`);
  }
  return name;
}

export { checkWritableDir, dirWriteError, ensureWritableDir, fsProblem } from '../io/writable-dir.js';
import { checkWritableDir } from '../io/writable-dir.js';

/** --report-dir / --out as a flag parser: refused at once when it could never be written. */
export function validateOutputDir(flag: string): (value: string) => string {
  return (value) => checkWritableDir(value, flag);
}

/**
 * --certs DIR given explicitly: the directory must exist (a typo must not mint a new CA the target
 * does not trust, and then ask the user to reconfigure the server). `certs init DIR` makes one; only
 * the default directory is made on first use. A near sibling directory is suggested.
 */
export function validateCertsDir(value: string, flag = '--certs'): string {
  const abs = resolve(value);
  let missing = false;
  try {
    statSync(abs);
  } catch (err) {
    missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
  // A file, a path under a file, a read-only mount: said as for every directory the CLI writes
  // (for a missing directory too: `certs init` could not make it there either).
  checkWritableDir(value, flag);
  if (!missing) return value;
  let siblings: string[] = [];
  try {
    siblings = readdirSync(dirname(abs), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    // The parent is missing or unreadable too: no suggestion.
  }
  const near = closestMatch(basename(abs), siblings);
  // The sibling written as the user wrote the path (./conformance-cert -> ./conformance-certs).
  const written = value.replace(/\/+$/, '');
  const suggestion = near === undefined ? '' : ` Did you mean ${quote(written.slice(0, written.length - basename(written).length) + near)}?`;
  const shellWord = /^[\w./@:+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
  throw new UsageError('certs-dir-missing', `${flag} ${showValue(value)} does not exist.${suggestion} Make a certificate directory there with: conformance certs init ${shellWord}`);
}

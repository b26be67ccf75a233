/**
 * Errors a user sees. Each has a stable `code` and the exit code of its kind (PRODUCT.md):
 * 2 usage or configuration, 3 the harness could not run. The message is one line: what was
 * wrong, the input quoted, what to do next. The `error: ` prefix is added here and nowhere else
 * (as mkcert's `fatalIfErr` formats every error in one place), so `message` is what the CLI prints.
 */

/** Every code an error can carry: a new one is added here, so a misspelt code does not compile. Stable: scripts match on them. */
export const ERROR_CODES = [
  'certificate-verify-input',
  'certs-damaged',
  'certs-dir-missing',
  'certs-dir-unusable',
  'certs-key-mode',
  'certs-lock-not-file',
  'certs-locked',
  'certs-need-issuer',
  'client-cert-ca-not-pem',
  'concurrency-invalid',
  'container-image-missing',
  'container-not-ready',
  'container-start-failed',
  'dir-is-file',
  'dir-under-file',
  'dir-unusable',
  'dir-unwritable',
  'host-invalid',
  'http-method-invalid',
  'http-path-invalid',
  'issuer-incomplete',
  'issuer-key-invalid',
  'issuer-key-mismatch',
  'issuer-not-ca',
  'issuer-not-pem',
  'lint-no-object',
  'lint-unparseable',
  'merge-input-invalid',
  'merge-nothing',
  'merge-out-collision',
  'merge-report-missing',
  'no-container-engine',
  'only-matches-nothing',
  'optional-dependency-missing',
  'options-invalid',
  'profile-extends-cycle',
  'profile-extends-depth',
  'profile-invalid',
  'profile-shape',
  'profile-syntax',
  'profile-unknown',
  'pubkey-invalid',
  'raw-hello-input',
  'repeat-invalid',
  'report-dir-not-dir',
  'serve-cert-missing',
  'serve-listen-failed',
  'servername-invalid',
  'shard-invalid',
  'sign-key-invalid',
  'sign-key-unsupported',
  'suite-invalid',
  'target-ca-not-pem',
  'target-client-empty',
  'target-client-not-found',
  'target-cmd-shell',
  'target-conflict',
  'target-env-invalid',
  'target-flag-without-image',
  'target-has-path',
  'target-invalid',
  'target-malformed-tls',
  'target-not-tls',
  'target-port-missing',
  'target-timeout',
  'target-unreachable',
  'target-unresolvable',
  'targets-file-empty',
  'targets-file-invalid',
  'timeout-invalid',
  'verify-dir-unreadable',
  'verify-no-manifest',
] as const;
/** The inputs a bounded file read names in its codes (io/read-bounded.ts): `profile-too-large`, `file-unreadable` ... */
export const FILE_CODE_PREFIXES = ['file', 'profile', 'sign-key', 'lint', 'merge', 'certs', 'issuer', 'targets-file'] as const;
export type FileCodePrefix = (typeof FILE_CODE_PREFIXES)[number];
export type FileFault = 'unreadable' | 'too-large' | 'not-text';
export type ErrorCode = (typeof ERROR_CODES)[number] | `${FileCodePrefix}-${FileFault}`;

const PREFIX = 'error: ';

/**
 * A line for the user: the prefix once, whatever the text brought. Every printer uses it (the
 * error classes below, the CLI's fatal and commander lines); only the entry shim, which must run
 * before any import, writes its two lines by hand.
 */
export function errorLine(text: string): string {
  return PREFIX + (text.startsWith(PREFIX) ? text.slice(PREFIX.length) : text);
}

export class ConformanceError extends Error {
  /** The message without the prefix. */
  readonly detail: string;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly exitCode: 2 | 3,
  ) {
    // Messages written before the prefix moved here still start with it: print it once.
    const line = errorLine(message);
    const detail = line.slice(PREFIX.length);
    super(line);
    this.detail = detail;
    this.name = 'ConformanceError';
  }
}

/** Exit 2: a flag, a profile or a file the user gave is wrong. */
export class UsageError extends ConformanceError {
  constructor(code: ErrorCode, message: string) {
    super(code, message, 2);
  }
}

/** Exit 3: the harness could not run against the target. */
export class HarnessError extends ConformanceError {
  constructor(code: ErrorCode, message: string) {
    super(code, message, 3);
  }
}

export function quote(value: unknown): string {
  return JSON.stringify(String(value));
}

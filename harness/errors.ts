/**
 * Errors a user sees. Each has a stable `code` and the exit code of its kind (PRODUCT.md):
 * 2 usage or configuration, 3 the harness could not run. The message is one line: what was
 * wrong, the input quoted, what to do next.
 */
export class ConformanceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: 2 | 3,
  ) {
    super(message);
    this.name = 'ConformanceError';
  }
}

/** Exit 2: a flag, a profile or a file the user gave is wrong. */
export class UsageError extends ConformanceError {
  constructor(code: string, message: string) {
    super(code, message, 2);
  }
}

/** Exit 3: the harness could not run against the target. */
export class HarnessError extends ConformanceError {
  constructor(code: string, message: string) {
    super(code, message, 3);
  }
}

export function quote(value: unknown): string {
  return JSON.stringify(String(value));
}

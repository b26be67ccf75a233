/** gRPC status codes by number (grpc/doc/statuscodes.md). */
const GRPC_STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];

/** `UNAUTHENTICATED` for 16; `status 99` for a code outside the table. */
export function grpcStatusName(code: number): string {
  return GRPC_STATUS_NAMES[code] ?? `status ${code}`;
}

/**
 * The method a gRPC call goes to when the user names none: the standard health check
 * (grpc.health.v1). An empty message is a valid HealthCheckRequest, and a server without the
 * service still answers with a gRPC status (12 UNIMPLEMENTED), which completes the round trip.
 */
export const DEFAULT_GRPC_PATH = '/grpc.health.v1.Health/Check';

/** The empty gRPC message: compressed-flag 0, length 0 (gRPC over HTTP/2, Length-Prefixed-Message). */
export const EMPTY_GRPC_MESSAGE: Buffer = Buffer.alloc(5);

/** The highest code in the gRPC status table (16 UNAUTHENTICATED). */
export const MAX_GRPC_STATUS = GRPC_STATUS_NAMES.length - 1;

/**
 * A grpc-status header as a code, or why it is not one. gRPC over HTTP/2 (Response): Status →
 * "grpc-status" 1*DIGIT, one of the codes in grpc/doc/statuscodes.md (0-16). Anything else (a word,
 * a number beyond the table, the header twice) is a malformed answer, never a number guessed from it.
 */
export function parseGrpcStatus(value: string | string[]): { code: number } | { malformed: string } {
  if (Array.isArray(value)) return { malformed: `grpc-status sent ${value.length} times (${value.map((v) => showHeader(v)).join(', ')})` };
  const m = /^0*(\d{1,2})$/.exec(value);
  const code = m ? Number(m[1]) : NaN;
  if (!(code <= MAX_GRPC_STATUS)) return { malformed: `grpc-status ${showHeader(value)} is not a gRPC status code (a decimal integer 0-${MAX_GRPC_STATUS})` };
  return { code };
}

/**
 * grpc-message as text. gRPC over HTTP/2 (Response): Status-Message is percent-encoded UTF-8; the
 * spec asks a client to keep the raw text when it cannot be decoded, so does this. Control
 * characters are shown escaped: the text lands in one-line messages and reports.
 */
export function decodeGrpcMessage(value: string | string[] | undefined): string {
  if (typeof value !== 'string') return '';
  let text: string;
  try {
    text = decodeURIComponent(value);
  } catch {
    text = value;
  }
  return escapeControls(text);
}

/** A header value for a message: quoted, control characters escaped, at most 60 characters. */
function showHeader(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

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

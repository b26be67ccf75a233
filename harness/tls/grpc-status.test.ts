import { describe, expect, test } from 'vitest';
import { decodeGrpcMessage, parseGrpcStatus } from './grpc-status.js';

describe('grpc-status and grpc-message from a hostile server', () => {
  test.each([
    ['0', 0],
    ['16', 16],
    ['007', 7],
  ])('grpc-status %j is code %i', (value, code) => {
    expect(parseGrpcStatus(value)).toEqual({ code });
  });

  test.each([['zzz'], ['99999999999999999999999'], ['17'], ['-1'], ['1e1'], [' 0'], [''], ['0x10'], ['١']])('grpc-status %j is malformed, quoted', (value) => {
    const r = parseGrpcStatus(value);
    expect(r).toHaveProperty('malformed');
    expect((r as { malformed: string }).malformed).toContain(JSON.stringify(value));
  });

  test('grpc-status sent twice is malformed', () => {
    expect(parseGrpcStatus(['0', '16'])).toEqual({ malformed: expect.stringContaining('sent 2 times') });
  });

  test('grpc-message: percent-decoded; the raw text kept when it cannot be; control characters escaped', () => {
    expect(decodeGrpcMessage('client%20CN%20%22x%22')).toBe('client CN "x"');
    expect(decodeGrpcMessage('bad %E0%A4%A')).toBe('bad %E0%A4%A');
    expect(decodeGrpcMessage('a%0Aforged line')).toBe('a\\u000aforged line');
    expect(decodeGrpcMessage(undefined)).toBe('');
  });
});

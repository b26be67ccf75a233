import * as http2 from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { EMPTY_GRPC_MESSAGE } from '../tls/grpc-status.js';

/**
 * The HTTPS server every reference peer runs: it offers ALPN `h2` and `http/1.1` (RFC 7301) and
 * answers a request over either, as a real partner server does. A gRPC call (content-type
 * application/grpc, gRPC over HTTP/2) gets a well-formed gRPC answer: an empty message and
 * grpc-status 0, so a gRPC client under test completes its call. Which protocol a client speaks is
 * not what the client cases judge; whether it sends a request at all is.
 */

export type AppRequest = IncomingMessage | http2.Http2ServerRequest;
export type AppResponse = ServerResponse | http2.Http2ServerResponse;

export interface AppServer {
  server: http2.Http2SecureServer;
  /** Destroy every connection (in or before the handshake too), then close; bounded by `timeoutMs`. */
  close(timeoutMs?: number): Promise<void>;
}

/** `GET / HTTP/1.1`, `POST /pkg.Service/Method HTTP/2.0`: the request as one line. */
export function requestLine(req: AppRequest): string {
  return `${req.method} ${req.url} HTTP/${req.httpVersion}`;
}

/** The TLS connection a request came over (HTTP/2 requests reach it through their session). */
export function tlsSocketOf(req: AppRequest): TLSSocket {
  return ('stream' in req ? req.stream.session?.socket : req.socket) as TLSSocket;
}

export function isGrpcRequest(req: AppRequest): boolean {
  return String(req.headers['content-type'] ?? '').startsWith('application/grpc');
}

/**
 * Answer with `status` and a short text, or for a gRPC call with a gRPC answer: grpc-status 0 when
 * `status` is 200, 16 UNAUTHENTICATED for 401, 7 PERMISSION_DENIED otherwise (the refusal a gRPC
 * server gives where an HTTP server answers 401/403).
 */
export function answer(req: AppRequest, res: AppResponse, status: number, text: string): void {
  // The request body is not read: drain it so the stream can end.
  req.resume();
  // Both response classes share this much; their writeHead overloads differ only in types.
  const out = res as http2.Http2ServerResponse;
  if (isGrpcRequest(req)) {
    const grpcStatus = status === 200 ? 0 : status === 401 ? 16 : 7;
    out.writeHead(200, { 'content-type': 'application/grpc' });
    // Trailers carry the status (gRPC over HTTP/2, Response: Trailers).
    out.addTrailers({ 'grpc-status': String(grpcStatus), ...(grpcStatus ? { 'grpc-message': encodeURIComponent(text.trim()) } : {}) });
    if (grpcStatus === 0) out.end(EMPTY_GRPC_MESSAGE);
    else out.end();
    return;
  }
  // connection is a connection-specific header, forbidden in HTTP/2 (RFC 9113 §8.2.2).
  out.writeHead(status, { 'content-type': 'text/plain', ...(req.httpVersionMajor === 1 ? { connection: 'close' } : {}) });
  out.end(text);
}

export function createAppServer(options: http2.SecureServerOptions, onRequest: (req: AppRequest, res: AppResponse) => void): AppServer {
  const server = http2.createSecureServer({ ...options, allowHTTP1: true }, onRequest as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void);
  const sockets = new Set<Socket>();
  server.on('connection', (raw: Socket) => {
    sockets.add(raw);
    raw.once('close', () => sockets.delete(raw));
  });
  // An HTTP/2 session whose peer vanished must not surface as an unhandled error.
  server.on('session', (session: http2.ServerHttp2Session) => session.on('error', () => undefined));
  server.on('sessionError', () => undefined);
  const close = async (timeoutMs = 3000) => {
    const closed = new Promise<void>((res) => server.close(() => res()));
    for (const raw of sockets) raw.destroy();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise<void>((res) => (timer = setTimeout(res, timeoutMs)))]);
    clearTimeout(timer);
  };
  return { server, close };
}

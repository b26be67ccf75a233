import { describe, expect, test } from 'vitest';
import { informativeLine } from './informative-line.js';

// Real stderr of the clients users test, as this machine's Node 24, curl and OpenSSL print it.
const NODE_UNCAUGHT = `node:events:486
      throw er; // Unhandled 'error' event
      ^

Error: self-signed certificate in certificate chain
    at TLSSocket.onConnectSecure (node:_tls_wrap:1679:34)
    at TLSSocket.emit (node:events:508:28)
    at TLSSocket._finishInit (node:_tls_wrap:1078:8)
Emitted 'error' event on ClientRequest instance at:
    at TLSSocket.socketErrorListener (node:_http_client:518:9)
    at TLSSocket.emit (node:events:508:28) {
  code: 'SELF_SIGNED_CERT_IN_CHAIN'
}

Node.js v24.21.0`;

const CURL_60 = `curl: (60) SSL certificate problem: unable to get local issuer certificate
More details here: https://curl.se/docs/sslcerts.html

curl failed to verify the legitimacy of the server and therefore could not
establish a secure connection to it. To learn more about this situation and
how to fix it, please visit the web page mentioned above.`;

const S_CLIENT = `Connecting to 127.0.0.1
depth=0 CN=localhost
verify error:num=20:unable to get local issuer certificate
verify return:1
40A7F1B2E47F0000:error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:ssl/statem/statem_clnt.c:2123:
---
no peer certificate available
---`;

describe('informativeLine', () => {
  test("Node's uncaught error: the Error line, not `Node.js v24` nor a stack frame", () => {
    expect(informativeLine(NODE_UNCAUGHT)).toBe('Error: self-signed certificate in certificate chain');
  });

  test("curl: the SSL problem, not the pointer to the web page", () => {
    expect(informativeLine(CURL_60)).toBe('curl: (60) SSL certificate problem: unable to get local issuer certificate');
  });

  test('openssl s_client: the OpenSSL error line', () => {
    expect(informativeLine(S_CLIENT)).toMatch(/^40A7F1B2E47F0000:error:0A000086:SSL routines:.*certificate verify failed/);
  });

  test('a line that names nothing: the last line that is not boilerplate', () => {
    expect(informativeLine('starting\nconnecting to https://127.0.0.1:4443\nbye\n\nNode.js v24.21.0\n')).toBe('bye');
    expect(informativeLine('sh: 1: my-client: not found')).toBe('sh: 1: my-client: not found');
  });

  test('nothing to quote: undefined; a long line is bounded', () => {
    expect(informativeLine('')).toBeUndefined();
    expect(informativeLine('\n   \nNode.js v24.21.0\n    at foo (x.js:1:1)')).toBeUndefined();
    const long = `Error: certificate verify failed ${'x'.repeat(500)}`;
    expect(informativeLine(long)).toBe(`${long.slice(0, 200)}… (${long.length - 200} more characters)`);
    expect(informativeLine(long, 50)).toBe(`${long.slice(0, 50)}… (${long.length - 50} more characters)`);
    // A line the probe already cut keeps its own bound and count.
    const cut = `${'x'.repeat(300)}… (19700 more characters)`;
    expect(informativeLine(cut)).toBe(cut);
  });

  test('colour codes and control characters are dropped', () => {
    expect(informativeLine('\u001b[31merror: handshake failed\u001b[0m')).toBe('error: handshake failed');
  });
});

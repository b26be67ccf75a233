import { diffieHellman, createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import {
  applicationSecrets,
  CONTENT,
  deriveSecret,
  digest,
  finishedVerifyData,
  handshakeSecrets,
  hkdfExtract,
  nextTrafficSecret,
  RecordProtection,
  tls13Suite,
  TLS13_SUITES,
  trafficKeys,
  Transcript,
} from './tls13-keys.js';

/**
 * RFC 8448 §3 "Simple 1-RTT Handshake" (TLS_AES_128_GCM_SHA256, x25519): every input and every
 * expected value below is the RFC's trace, so a mistake in the key schedule, the label encoding,
 * the nonce or the AAD shows here before it shows as a harness error against a real server.
 */
const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const RFC8448 = {
  clientPrivate: h('49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005'),
  serverPublic: h('c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f'),
  clientHello: h(
    '010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7000006130113031302010000910000000b0009000006736572766572ff01000100000a00140012001d0017001800190100010101020103010400230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c002b0003020304000d0020001e040305030603020308040805080604010501060102010402050206020202002d00020101001c00024001',
  ),
  serverHello: h('020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e2692800130100002e00330024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304'),
  /** {server} send handshake record: EncryptedExtensions, Certificate, CertificateVerify, Finished, sequence 0. */
  serverFlightRecord: h('17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35edf7869fcf40aa40aa2b8ea73f848a7ca07612ef9f945cb960b4068905123ea78b111b429ba9191cd05d2a389280f526134aadc7fc78c4b729df828b5ecf7b13bd9aefb0e57f271585b8ea9bb355c7c79020716cfb9b1183ef3ab20e37d57a6b9d7477609aee6e122a4cf51427325250c7d0e509289444c9b3a648f1d71035d2ed65b0e3cdd0cbae8bf2d0b227812cbb360987255cc744110c453baa4fcd610928d809810e4b7ed1a8fd991f06aa6248204797e36a6a73b70a2559c09ead686945ba246ab66e5edd8044b4c6de3fcf2a89441ac66272fd8fb330ef8190579b3684596c960bd596eea520a56a8d650f563aad27409960dca63d3e688611ea5e22f4415cf9538d51a200c27034272968a264ed6540c84838d89f72c24461aad6d26f59ecaba9acbbb317b66d902f4f292a36ac1b639c637ce343117b659622245317b49eeda0c6258f100d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e1b7a6c7178af36879018e3f252107f243d243dc7339d5684c8b0378bf30244da8c87c843f5e56eb4c5e8280a2b48052cf93b16499a66db7cca71e4599426f7d461e66f99882bd89fc50800becca62d6c74116dbd2972fda1fa80f85df881edbe5a37668936b335583b599186dc5c6918a396fa48a181d6b6fa4f9d62d513afbb992f2b992f67f8afe67f76913fa388cb5630c8ca01e0c65d11c66a1e2ac4c85977b7c7a6999bbf10dc35ae69f5515614636c0b9b68c19ed2e31c0b3b66763038ebba42f3b38edc0399f3a9f23faa63978c317fc9fa66a73f60f0504de93b5b845e275592c12335ee340bbc4fddd502784016e4b3be7ef04dda49f4b440a30cb5d2af939828fd4ae3794e44f94df5a631ede42c1719bfdabf0253fe5175be898e750edc53370d2b'),
  serverFlight: h(
    '080000240022000a00140012001d00170018001901000101010201030104001c00024001000000000b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a864886f70d01010b0500300e310c300a06035504031303727361301e170d3136303733303031323335395a170d3236303733303031323335395a300e310c300a0603550403130372736130819f300d06092a864886f70d010101050003818d0030818902818100b4bb498f8279303d980836399b36c6988c0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced43120998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda430846748030530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a8d88d79f7f1e3f0203010001a31a301830090603551d1304023000300b0603551d0f0404030205a0300d06092a864886f70d01010b05000381810085aad2a0e5b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8f8a58c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102702e608ccae6bec1fc63a42a99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b42b4de100000f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145ab3ff52f1fda8477b0b7abc90db78e2d33a5c141a078653fa6bef780c5ea248eeaaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac027671459e46445c9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5aea20d53dfacd42f74f3140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718',
  ),
  ecdhe: '8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d',
  early: '33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a',
  helloHash: '860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8',
  handshakeSecret: '1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac',
  clientHandshakeTraffic: 'b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21',
  serverHandshakeTraffic: 'b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38',
  serverHandshakeKey: '3fce516009c21727d0f2e4e86ee403bc',
  serverHandshakeIv: '5d313eb2671276ee13000b30',
  masterSecret: '18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919',
  serverFinished: '9b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718',
  serverFinishedHash: '9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13',
  clientApplicationTraffic: '9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5',
  serverApplicationTraffic: 'a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643',
  serverApplicationKey: '9f02283b6c9c07efc26bb9f2ac92e356',
  serverApplicationIv: 'cf782b88dd83549aadf1e984',
  clientFinished: 'a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61',
};

/** A raw X25519 key (RFC 7748) as a KeyObject, through its PKCS#8 / SPKI DER (RFC 8410). */
function x25519Private(raw: Buffer) {
  return createPrivateKey({ key: Buffer.concat([h('302e020100300506032b656e04220420'), raw]), format: 'der', type: 'pkcs8' });
}
function x25519Public(raw: Buffer) {
  return createPublicKey({ key: Buffer.concat([h('302a300506032b656e032100'), raw]), format: 'der', type: 'spki' });
}

describe('TLS 1.3 key schedule against RFC 8448 §3', () => {
  const suite = tls13Suite(0x1301)!;

  test('the x25519 shared secret and the early secret', () => {
    const shared = diffieHellman({ privateKey: x25519Private(RFC8448.clientPrivate), publicKey: x25519Public(RFC8448.serverPublic) });
    expect(shared.toString('hex')).toBe(RFC8448.ecdhe);
    expect(hkdfExtract('sha256', Buffer.alloc(32), Buffer.alloc(32)).toString('hex')).toBe(RFC8448.early);
  });

  test('handshake secrets from the shared secret and the ClientHello..ServerHello transcript', () => {
    const t = new Transcript();
    t.add(RFC8448.clientHello);
    t.add(RFC8448.serverHello);
    const helloHash = t.hash('sha256');
    expect(helloHash.toString('hex')).toBe(RFC8448.helloHash);
    const s = handshakeSecrets(suite, h(RFC8448.ecdhe), helloHash);
    expect(s.handshakeSecret.toString('hex')).toBe(RFC8448.handshakeSecret);
    expect(s.clientHandshakeTraffic.toString('hex')).toBe(RFC8448.clientHandshakeTraffic);
    expect(s.serverHandshakeTraffic.toString('hex')).toBe(RFC8448.serverHandshakeTraffic);
    expect(s.masterSecret.toString('hex')).toBe(RFC8448.masterSecret);
    const k = trafficKeys(suite, s.serverHandshakeTraffic);
    expect(k.key.toString('hex')).toBe(RFC8448.serverHandshakeKey);
    expect(k.iv.toString('hex')).toBe(RFC8448.serverHandshakeIv);
  });

  test("the server's encrypted flight decrypts to the RFC's plaintext, and both Finished MACs and the application secrets match", () => {
    const t = new Transcript();
    t.add(RFC8448.clientHello);
    t.add(RFC8448.serverHello);
    const s = handshakeSecrets(suite, h(RFC8448.ecdhe), t.hash('sha256'));
    const rec = RFC8448.serverFlightRecord;
    expect(rec.length).toBe(679);
    const opened = new RecordProtection(suite, s.serverHandshakeTraffic).open(rec.subarray(0, 5), rec.subarray(5));
    expect(opened).toEqual({ type: CONTENT.handshake, content: RFC8448.serverFlight });

    // Finished is the last 36 bytes (4-byte header, 32-byte verify_data) of the flight.
    const flight = RFC8448.serverFlight;
    t.add(flight.subarray(0, flight.length - 36));
    expect(finishedVerifyData(suite, s.serverHandshakeTraffic, t.hash('sha256')).toString('hex')).toBe(RFC8448.serverFinished);
    t.add(flight.subarray(flight.length - 36));
    const finishedHash = t.hash('sha256');
    expect(finishedHash.toString('hex')).toBe(RFC8448.serverFinishedHash);
    const app = applicationSecrets(suite, s.masterSecret, finishedHash);
    expect(app.client.toString('hex')).toBe(RFC8448.clientApplicationTraffic);
    expect(app.server.toString('hex')).toBe(RFC8448.serverApplicationTraffic);
    const k = trafficKeys(suite, app.server);
    expect(k.key.toString('hex')).toBe(RFC8448.serverApplicationKey);
    expect(k.iv.toString('hex')).toBe(RFC8448.serverApplicationIv);
    // No client certificate in this trace: the client Finished covers ClientHello..server Finished.
    expect(finishedVerifyData(suite, s.clientHandshakeTraffic, finishedHash).toString('hex')).toBe(RFC8448.clientFinished);
  });

  test('a flipped ciphertext bit or a changed header (the AAD) does not decrypt', () => {
    const t = new Transcript();
    t.add(RFC8448.clientHello);
    t.add(RFC8448.serverHello);
    const s = handshakeSecrets(suite, h(RFC8448.ecdhe), t.hash('sha256'));
    const rec = Buffer.from(RFC8448.serverFlightRecord);
    rec[40]! ^= 1;
    expect(new RecordProtection(suite, s.serverHandshakeTraffic).open(rec.subarray(0, 5), rec.subarray(5))).toHaveProperty('error');
    const header = Buffer.from(RFC8448.serverFlightRecord.subarray(0, 5));
    header[2] = 0x01;
    expect(new RecordProtection(suite, s.serverHandshakeTraffic).open(header, RFC8448.serverFlightRecord.subarray(5))).toHaveProperty('error');
  });
});

describe('record protection', () => {
  test('the nonce is the IV XOR the sequence number in its low 8 bytes (RFC 8446 §5.3)', () => {
    const p = new RecordProtection(tls13Suite(0x1301)!, Buffer.alloc(32, 7));
    const iv = trafficKeys(tls13Suite(0x1301)!, Buffer.alloc(32, 7)).iv;
    expect(p.nonce(0n)).toEqual(iv);
    const n = p.nonce(0x0102030405060708n);
    expect(n.subarray(0, 4)).toEqual(iv.subarray(0, 4));
    for (let i = 0; i < 8; i++) expect(n[4 + i]).toBe(iv[4 + i]! ^ (i + 1));
  });

  for (const suite of TLS13_SUITES) {
    test(`${suite.name}: seal and open round trip, in sequence; out of sequence fails`, () => {
      const secret = digest(suite.hash, Buffer.from(suite.name));
      const writer = new RecordProtection(suite, secret);
      const reader = new RecordProtection(suite, secret);
      const messages = [Buffer.from('GET / HTTP/1.1\r\n\r\n'), Buffer.alloc(0), Buffer.alloc(16384, 0xab)];
      const records = messages.map((m, i) => writer.seal(i === 1 ? CONTENT.alert : CONTENT.application_data, m));
      for (const [i, r] of records.entries()) {
        expect(r[0]).toBe(CONTENT.application_data);
        expect(r.readUInt16BE(3)).toBe(r.length - 5);
        expect(reader.open(r.subarray(0, 5), r.subarray(5))).toEqual({ type: i === 1 ? CONTENT.alert : CONTENT.application_data, content: messages[i] });
      }
      // The same plaintext twice differs: the sequence number moved the nonce.
      const a = writer.seal(CONTENT.application_data, Buffer.from('same'));
      const b = writer.seal(CONTENT.application_data, Buffer.from('same'));
      expect(a.equals(b)).toBe(false);
      // A reader that skipped a record is out of step: the first of the two does not open at the second's number.
      const skipped = new RecordProtection(suite, secret);
      expect(skipped.open(records[1]!.subarray(0, 5), records[1]!.subarray(5))).toHaveProperty('error');
    });
  }

  test('padding is stripped, all padding is an error, a short body is an error', () => {
    const suite = tls13Suite(0x1303)!;
    const secret = Buffer.alloc(32, 1);
    const reader = new RecordProtection(suite, secret);
    expect(reader.open(Buffer.from([23, 3, 3, 0, 4]), Buffer.alloc(4))).toHaveProperty('error');
    // Hand-made padded plaintexts through the same keys: content || type || zeros.
    const w = new RecordProtection(suite, secret);
    const padded = w.seal(0x00, Buffer.from([0x41, CONTENT.application_data, 0, 0, 0]));
    const r2 = new RecordProtection(suite, secret);
    expect(r2.open(padded.subarray(0, 5), padded.subarray(5))).toEqual({ type: CONTENT.application_data, content: Buffer.from([0x41]) });
    const w3 = new RecordProtection(suite, secret);
    const zeros = w3.seal(0x00, Buffer.alloc(8));
    expect(new RecordProtection(suite, secret).open(zeros.subarray(0, 5), zeros.subarray(5))).toHaveProperty('error');
  });

  test('KeyUpdate: the next secret differs and is deterministic (RFC 8446 §7.2)', () => {
    const suite = tls13Suite(0x1302)!;
    const s0 = Buffer.alloc(48, 3);
    const s1 = nextTrafficSecret(suite, s0);
    expect(s1.length).toBe(48);
    expect(s1.equals(s0)).toBe(false);
    expect(nextTrafficSecret(suite, s0)).toEqual(s1);
    expect(deriveSecret('sha384', s0, 'derived', digest('sha384', Buffer.alloc(0))).length).toBe(48);
  });
});


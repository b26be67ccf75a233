import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1X509 from '@peculiar/asn1-x509';
import { describe, expect, test } from 'vitest';
import { rawNameDer, withRawNames, withRawSubtrees } from './raw-names.js';

const hexOf = (b: ArrayBuffer) => Buffer.from(b).toString('hex');

describe('raw GeneralNames (X.690 DER by @peculiar/asn1-schema)', () => {
  test('a primitive context tag with the bytes as given, short and long lengths', () => {
    expect(hexOf(rawNameDer({ tag: 7, valueHex: '7f000001' }))).toBe('87047f000001');
    expect(hexOf(rawNameDer({ tag: 2, valueHex: '' }))).toBe('8200');
    const long = 'ab'.repeat(300);
    expect(hexOf(rawNameDer({ tag: 15, valueHex: long }))).toBe(`8f82012c${long}`);
  });
  test('tags outside 0-15 and values that are not hex are spec errors', () => {
    expect(() => rawNameDer({ tag: 16, valueHex: '00' })).toThrow(/not a GeneralName tag 0-15/);
    expect(() => rawNameDer({ tag: -1, valueHex: '00' })).toThrow(/not a GeneralName tag/);
    expect(() => rawNameDer({ tag: 2, valueHex: 'xyz' })).toThrow(/not hex/);
  });
  test('appended after the typed names of a GeneralNames, which keep their bytes', () => {
    const typed = AsnConvert.serialize(new asn1X509.GeneralNames([new asn1X509.GeneralName({ dNSName: 'a.test' })]));
    const out = withRawNames(typed, [{ tag: 2, valueHex: Buffer.from('b\0.test', 'latin1').toString('hex') }]);
    expect(hexOf(out)).toBe(`3011${'8206' + Buffer.from('a.test').toString('hex')}${'8207' + Buffer.from('b\0.test', 'latin1').toString('hex')}`);
    expect(hexOf(withRawNames(null, [{ tag: 7, valueHex: '7f000001' }]))).toBe('300687047f000001');
  });
  test('raw subtrees: permitted [0] and excluded [1], appended to the typed ones; none at all is refused', () => {
    const typed = AsnConvert.serialize(new asn1X509.NameConstraints({ permittedSubtrees: new asn1X509.GeneralSubtrees([new asn1X509.GeneralSubtree({ base: new asn1X509.GeneralName({ dNSName: 'a.test' }) })]) }));
    const out = withRawSubtrees(typed, { excluded: [{ tag: 7, valueHex: '7f000000ff000000' }] });
    // What the typed library parses back: the same permitted subtree, and the raw one as an address range.
    const nc = AsnConvert.parse(out, asn1X509.NameConstraints);
    expect(nc.permittedSubtrees?.[0]?.base.dNSName).toBe('a.test');
    expect(nc.excludedSubtrees?.[0]?.base.iPAddress).toBe('127.0.0.0/8');
    expect(() => withRawSubtrees(null, {})).toThrow(/requires one/);
  });
});

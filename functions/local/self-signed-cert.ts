/**
 * @module local/self-signed-cert
 * A self-signed X.509 certificate for the local SNS sink's signing key, so the sink can serve a
 * PEM at its SigningCertURL as SNS does. Node's crypto makes keys and reads certificates
 * (`X509Certificate`) but cannot write one, and this one has a single fixed shape (a v1
 * certificate: serial, sha256WithRSA, a common name, validity, the public key), so it is built
 * here in DER by hand rather than with a library (node-forge, @peculiar/x509) for one local use.
 * `X509Certificate` reads it back and checks its self-signature in the tests.
 */
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

const tlv = (tag: number, content: Buffer): Buffer => {
  const length = content.length;
  const header =
    length < 0x80 ? Buffer.from([tag, length]) : length < 0x100 ? Buffer.from([tag, 0x81, length]) : Buffer.from([tag, 0x82, length >> 8, length & 0xff]);
  if (length > 0xffff) throw new RangeError('DER content too long for this encoder');
  return Buffer.concat([header, content]);
};
const sequence = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let value = arc >> 7; value > 0; value >>= 7) chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

const SHA256_WITH_RSA = sequence(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));
const COMMON_NAME = '2.5.4.3';

const name = (commonName: string) => sequence(set(sequence(oid(COMMON_NAME), tlv(0x0c, Buffer.from(commonName, 'utf8')))));

/** UTCTime, YYMMDDHHMMSSZ (years 1950-2049). */
const utcTime = (date: Date) => tlv(0x17, Buffer.from(`${date.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`, 'ascii'));

export interface SigningIdentity {
  privateKey: KeyObject;
  /** The certificate, PEM-encoded, as the sink serves it. */
  certificatePem: string;
}

/** A fresh 2048-bit RSA key and a self-signed certificate for it, valid from an hour ago for `days`. */
export function createSigningIdentity(options: { commonName?: string; now?: Date; days?: number } = {}): SigningIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const now = options.now ?? new Date();
  const serial = randomBytes(8);
  serial[0] = (serial[0] ?? 0) & 0x7f; // a positive INTEGER
  const subject = name(options.commonName ?? 'pufa local SNS sink');
  const tbs = sequence(
    tlv(0x02, serial),
    SHA256_WITH_RSA,
    subject,
    sequence(utcTime(new Date(now.getTime() - 3_600_000)), utcTime(new Date(now.getTime() + (options.days ?? 30) * 86_400_000))),
    subject,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(tbs, SHA256_WITH_RSA, tlv(0x03, Buffer.concat([Buffer.from([0x00]), signature])));
  const base64 = der.toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return { privateKey, certificatePem: `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n` };
}

/**
 * @module local/sns-verifier
 * Checks a message SNS POSTed to an HTTP/S endpoint, as a station's receiver must before acting on
 * it: the envelope's shape, SignatureVersion 2 (SHA256withRSA), a topic it expects, a Timestamp
 * neither older than `maxAgeMs` nor in the future, a signing certificate fetched only from an
 * allowed place (SNS's own hosts over HTTPS — `sns.<region>.amazonaws.com(.cn)` — or origins named
 * by configuration, such as the local sink), valid now, whose key verifies the signature over
 * SNS's string to sign; and a MessageId not seen before (a replay). Only Node's crypto is used.
 */
import { X509Certificate, verify as verifySignature } from 'node:crypto';
import { signatureAlgorithm, snsEnvelopeSchema, stringToSign, type SnsEnvelope } from '../domain/sns-message.js';

/** SNS's own certificate hosts, in every partition (aws, aws-cn). */
const SNS_CERT_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;
/** A Timestamp this far ahead of the receiver's clock is refused too (clocks drift). */
const FUTURE_SKEW_MS = 5 * 60_000;

export type Refusal = 'malformed' | 'signature-version' | 'topic' | 'stale' | 'cert-host' | 'cert' | 'signature' | 'replay';
export type Verdict = { ok: true; message: SnsEnvelope } | { ok: false; refusal: Refusal; reason: string };

export interface SnsVerifierOptions {
  /** Origins besides SNS's (`http://127.0.0.1:4566`) whose certificates are trusted: the local sink. */
  certOrigins?: readonly string[];
  /** Topics this receiver takes messages from; empty or absent: any. */
  topicArns?: readonly string[];
  /** Older messages are refused (SNS retries an HTTP delivery for at most an hour). */
  maxAgeMs?: number;
  clock?: () => Date;
  /** Fetches a certificate's PEM (default: fetch, 10 s); tests hand in their own. */
  fetchCertificate?: (url: string) => Promise<string>;
}

async function fetchPem(url: string): Promise<string> {
  const answer = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(10_000) });
  if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
  return answer.text();
}

export class SnsVerifier {
  private readonly certificates = new Map<string, X509Certificate>();
  /** MessageId → when its Timestamp stops being fresh; older ones are refused by age anyway. */
  private readonly seen = new Map<string, number>();
  private readonly maxAgeMs: number;
  private readonly clock: () => Date;
  private readonly certOrigins: Set<string>;

  constructor(private readonly options: SnsVerifierOptions = {}) {
    this.maxAgeMs = options.maxAgeMs ?? 3_600_000;
    this.clock = options.clock ?? (() => new Date());
    this.certOrigins = new Set((options.certOrigins ?? []).map((origin) => new URL(origin).origin));
  }

  /** Whether a certificate (or SubscribeURL) at this address may be trusted. */
  allowedUrl(address: string): boolean {
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      return false;
    }
    if (this.certOrigins.has(url.origin)) return true;
    return url.protocol === 'https:' && url.port === '' && SNS_CERT_HOST.test(url.hostname) && url.username === '' && url.password === '';
  }

  async verify(body: unknown): Promise<Verdict> {
    const parsed = snsEnvelopeSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, refusal: 'malformed', reason: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'not an SNS message'}` };
    }
    const message = parsed.data;
    if (message.SignatureVersion !== '2') return { ok: false, refusal: 'signature-version', reason: 'only SignatureVersion 2 (SHA256) is accepted' };
    const topics = this.options.topicArns ?? [];
    if (topics.length > 0 && !topics.includes(message.TopicArn)) return { ok: false, refusal: 'topic', reason: `unexpected topic ${message.TopicArn}` };

    const now = this.clock().getTime();
    const sentAt = Date.parse(message.Timestamp);
    if (sentAt < now - this.maxAgeMs) return { ok: false, refusal: 'stale', reason: `Timestamp ${message.Timestamp} is older than ${this.maxAgeMs / 60_000} minutes` };
    if (sentAt > now + FUTURE_SKEW_MS) return { ok: false, refusal: 'stale', reason: `Timestamp ${message.Timestamp} is in the future` };

    if (!this.allowedUrl(message.SigningCertURL)) return { ok: false, refusal: 'cert-host', reason: `SigningCertURL ${message.SigningCertURL} is not an allowed place for SNS certificates` };
    if (message.Type !== 'Notification' && !this.allowedUrl(message.SubscribeURL)) {
      return { ok: false, refusal: 'cert-host', reason: `SubscribeURL ${message.SubscribeURL} does not lead to SNS` };
    }
    let certificate: X509Certificate;
    try {
      certificate = await this.certificate(message.SigningCertURL);
    } catch (error) {
      return { ok: false, refusal: 'cert', reason: `the signing certificate could not be used: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (now < Date.parse(certificate.validFrom) || now > Date.parse(certificate.validTo)) {
      return { ok: false, refusal: 'cert', reason: `the signing certificate is not valid now (${certificate.validFrom} – ${certificate.validTo})` };
    }
    const signed = Buffer.from(stringToSign(message), 'utf8');
    const good = verifySignature(signatureAlgorithm(message.SignatureVersion), signed, certificate.publicKey, Buffer.from(message.Signature, 'base64'));
    if (!good) return { ok: false, refusal: 'signature', reason: 'the signature does not match the message' };

    this.forgetExpired(now);
    if (this.seen.has(message.MessageId)) return { ok: false, refusal: 'replay', reason: `MessageId ${message.MessageId} was received before` };
    this.seen.set(message.MessageId, sentAt + this.maxAgeMs);
    return { ok: true, message };
  }

  /** Lets a message be taken again: its handling failed, and SNS will retry it with the same MessageId. */
  forget(messageId: string): void {
    this.seen.delete(messageId);
  }

  private async certificate(url: string): Promise<X509Certificate> {
    const cached = this.certificates.get(url);
    if (cached) return cached;
    const certificate = new X509Certificate(await (this.options.fetchCertificate ?? fetchPem)(url));
    this.certificates.set(url, certificate);
    return certificate;
  }

  private forgetExpired(now: number): void {
    for (const [id, until] of this.seen) if (until < now) this.seen.delete(id);
  }
}

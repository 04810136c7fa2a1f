import crypto from 'node:crypto';

/** What a Direct Line token grants: one conversation, as one user, until it expires. */
export interface DirectLineTokenClaims {
  /** The only conversation the token may read and write. */
  conversationId: string;
  /** Forced as `from.id` on every activity the holder posts. */
  userId: string;
  /** Expiry, seconds since the epoch. */
  expiresAt: number;
}

/**
 * Issues and verifies Direct Line tokens: compact JWTs signed with HMAC-SHA256. A JWT (not
 * an opaque id) because `botframework-directlinejs` decodes the token's `user` claim to know
 * the client's user id; signed and stateless so any process holding the key can verify it
 * without a lookup.
 */
export class DirectLineTokenIssuer {
  private readonly key: Buffer;

  /**
   * @param key the signing key (at least 16 bytes); never sent to clients.
   * @param ttlSeconds lifetime of a token (the client refreshes at half of it).
   * @param now clock in ms, for tests of expiry.
   */
  constructor(key: string | Buffer, readonly ttlSeconds: number, private readonly now: () => number = Date.now) {
    this.key = Buffer.isBuffer(key) ? key : Buffer.from(key, 'utf8');
    if (this.key.length < 16) throw new Error('DirectLineTokenIssuer needs a key of at least 16 bytes');
    if (!(ttlSeconds > 0)) throw new Error('DirectLineTokenIssuer needs a positive ttlSeconds');
  }

  /** A token for this conversation and user, valid for ttlSeconds from now. */
  issue(conversationId: string, userId: string): { token: string; expiresIn: number } {
    const iat = Math.floor(this.now() / 1000);
    const payload = { iss: 'rapport-directline', conv: conversationId, user: userId, iat, nbf: iat, exp: iat + this.ttlSeconds };
    const head = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const body = base64url(JSON.stringify(payload));
    return { token: `${head}.${body}.${this.sign(`${head}.${body}`)}`, expiresIn: this.ttlSeconds };
  }

  /** The claims of a well-signed, unexpired token; undefined for anything else (forged, expired, malformed). */
  verify(token: string | undefined): DirectLineTokenClaims | undefined {
    if (!token) return undefined;
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const expected = Buffer.from(this.sign(`${parts[0]}.${parts[1]}`));
    const given = Buffer.from(parts[2]);
    if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return undefined;
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    const { conv, user, exp } = payload;
    if (typeof conv !== 'string' || typeof user !== 'string' || typeof exp !== 'number') return undefined;
    if (exp * 1000 <= this.now()) return undefined;
    return { conversationId: conv, userId: user, expiresAt: exp };
  }

  private sign(data: string): string {
    return crypto.createHmac('sha256', this.key).update(data).digest('base64url');
  }
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

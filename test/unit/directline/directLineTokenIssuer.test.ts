import { DirectLineTokenIssuer } from '../../../bot/directline/directLineTokenIssuer';

describe('DirectLineTokenIssuer', () => {
  let now = Date.parse('2026-11-30T02:00:00Z');
  const issuer = new DirectLineTokenIssuer('unit-test-key-0123456789', 1800, () => now);

  test('When a token is issued, then it verifies to its conversation, user and expiry, and carries the user claim directlinejs reads', () => {
    const { token, expiresIn } = issuer.issue('conv-1', 'dl_user');
    expect(expiresIn).toBe(1800);
    expect(issuer.verify(token)).toEqual({ conversationId: 'conv-1', userId: 'dl_user', expiresAt: now / 1000 + 1800 });
    expect(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).user).toBe('dl_user');
  });

  test('When the lifetime has passed, then the token no longer verifies', () => {
    const { token } = issuer.issue('conv-1', 'dl_user');
    now += 1800 * 1000;
    expect(issuer.verify(token)).toBeUndefined();
  });

  test.each([
    ['signed with another key', () => new DirectLineTokenIssuer('another-key-0123456789', 60).issue('conv-1', 'u').token],
    ['with a payload swapped under the same signature', () => {
      const [h, , sig] = issuer.issue('conv-1', 'u').token.split('.');
      return `${h}.${Buffer.from(JSON.stringify({ conv: 'conv-2', user: 'u', exp: 9999999999 })).toString('base64url')}.${sig}`;
    }],
    ['malformed', () => 'abc.def'],
    ['empty', () => ''],
  ])('When a token is %s, then it does not verify', (_name, make) => {
    expect(issuer.verify(make())).toBeUndefined();
  });

  test('When the key is shorter than 16 bytes, then the issuer refuses to start', () => {
    expect(() => new DirectLineTokenIssuer('short', 60)).toThrow(/16 bytes/);
  });
});

import { decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';

type VerifyKey = Awaited<ReturnType<typeof importSPKI>>;
import { TtlCache } from '@eks-info/platform';

/**
 * Verifies the identity an AWS ALB puts in `x-amzn-oidc-data` after its OIDC authentication: an
 * ES256 JWT whose header names the signing ALB (`signer`) and the key id (`kid`); the public key
 * is served at https://public-keys.auth.elb.<region>.amazonaws.com/<kid> (AWS ELB docs, "User
 * claims encoding and signature verification"). Only a token signed for the configured ALB is
 * trusted, so the header cannot be forged by a client that bypasses the ALB.
 */
export class AlbOidcVerifier {
  private readonly keys = new TtlCache<VerifyKey>({ ttlMs: 60 * 60_000, maxEntries: 20 });

  constructor(
    private readonly signerArn: string,
    private readonly keyBaseUrl: string,
    private readonly fetchTimeoutMs = 2000,
  ) {}

  static keyUrlFor(region: string): string {
    return `https://public-keys.auth.elb.${region}.amazonaws.com`;
  }

  /** The user (email or subject) when the token is valid; throws with the reason otherwise. */
  async verify(token: string | undefined): Promise<string> {
    if (!token) throw new Error('missing x-amzn-oidc-data header (is the request coming through the ALB?)');
    // ALB tokens may carry base64 padding, which JWT parsers reject.
    const jwt = token
      .split('.')
      .map((part) => part.replace(/=+$/, ''))
      .join('.');
    const header = decodeProtectedHeader(jwt) as { kid?: string; signer?: string; alg?: string };
    if (header.alg !== 'ES256') throw new Error(`unexpected algorithm ${header.alg}`);
    if (header.signer !== this.signerArn) throw new Error('token was not signed by the configured ALB');
    if (!header.kid || !/^[A-Za-z0-9-]{1,128}$/.test(header.kid)) throw new Error('token has no valid key id');
    const kid = header.kid;
    const key = await this.keys.get(kid, async () => {
      const res = await fetch(`${this.keyBaseUrl.replace(/\/$/, '')}/${kid}`, { signal: AbortSignal.timeout(this.fetchTimeoutMs) });
      if (!res.ok) throw new Error(`ALB key ${kid}: HTTP ${res.status}`);
      return importSPKI(await res.text(), 'ES256');
    });
    const { payload } = await jwtVerify(jwt, key, { algorithms: ['ES256'] });
    const user = (payload.email as string | undefined) ?? payload.sub;
    if (!user) throw new Error('token has no subject');
    return user;
  }
}

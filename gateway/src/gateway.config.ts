import { isIP } from 'node:net';
import { z } from 'zod';
import { type ConfigRule, v, type CommonConfig, type ConfigOf, type VarSpec } from '@eks-info/platform';

/** The proxies whose X-Forwarded-For entries count: none, the last N hops, or the listed address ranges. */
export type TrustedProxies = false | number | string[];

function isCidr(entry: string): boolean {
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY. Trusting every hop (`true`) lets any client pick its own address by sending
 * X-Forwarded-For, which defeats the per-client rate limits and falsifies the access log; so only
 * a hop count (the ALB is one hop) or the address ranges the proxy connects from are accepted.
 * With ranges, the client address is the rightmost X-Forwarded-For entry that is not a trusted
 * proxy, so a forged entry to its left is never used.
 */
function trustProxySpec() {
  const schema = z
    .string()
    .trim()
    .superRefine((s, ctx) => {
      if (s === 'false' || /^[1-9]$/.test(s)) return;
      if (s === 'true') {
        ctx.addIssue({ code: 'custom', message: 'true would trust a client-sent X-Forwarded-For; use a hop count (1 behind an ALB) or CIDRs' });
        return;
      }
      const bad = s
        .split(',')
        .map((e) => e.trim())
        .find((e) => !isCidr(e));
      if (bad !== undefined)
        ctx.addIssue({ code: 'custom', message: `must be false, a hop count 1-9, or comma-separated CIDRs (${JSON.stringify(bad)} is none)` });
    })
    .transform((s): TrustedProxies => (s === 'false' ? false : /^\d$/.test(s) ? Number(s) : s.split(',').map((e) => e.trim())));
  const spec: VarSpec<TrustedProxies> = {
    schema: schema as unknown as z.ZodType<TrustedProxies>,
    description:
      'Whose X-Forwarded-For counts for the client address (rate limits, access log): false, a hop count (1 = the ALB) or the CIDRs the proxy connects from',
    default: 'false',
    example: '10.0.0.0/8,172.16.0.0/12,192.168.0.0/16',
  };
  return spec;
}

/** Variables of the gateway process (on top of the common ones). */
export const gatewayConfig = {
  PORT: v.port({ description: 'HTTP port of the pages and the JSON API', default: '8080' }),
  HOST: v.string({ description: 'Address the HTTP port binds to (`npm start` binds 127.0.0.1)', default: '0.0.0.0' }),
  AUTH_MODE: v.oneOf(['none', 'basic', 'alb-oidc'], {
    description: "none (local default), basic (AUTH_USERNAME/AUTH_PASSWORD), alb-oidc (trust the ALB's signed OIDC headers)",
    default: 'none',
  }),
  AUTH_USERNAME: v.string({ description: 'User name for basic auth', default: 'admin' }),
  AUTH_PASSWORD: v.string({ description: 'Password for basic auth (the Helm chart generates one)', optional: true, sensitive: true }),
  ALB_OIDC_SIGNER_ARN: v.string({
    description: 'ARN of the ALB whose signature x-amzn-oidc-data must carry (alb-oidc mode)',
    optional: true,
    pattern: /^arn:aws[a-z-]*:elasticloadbalancing:/,
    hint: 'must be a load balancer ARN',
  }),
  ALB_OIDC_KEY_URL: v.url({
    description: "Where the ALB's public keys are fetched (default: https://public-keys.auth.elb.<AWS_REGION>.amazonaws.com)",
    optional: true,
  }),
  AWS_REGION: v.string({ description: 'AWS region (used by alb-oidc to find the ALB key endpoint)', optional: true }),
  TRUST_PROXY: trustProxySpec(),
  BODY_LIMIT_BYTES: v.int({ description: 'Largest JSON or form body accepted (413 beyond)', default: String(1024 * 1024), min: 1024 }),
  UPLOAD_LIMIT_BYTES: v.int({ description: 'Largest file upload accepted (413 beyond)', default: String(10 * 1024 * 1024), min: 1024 }),
  MUTATION_RATE_LIMIT_PER_MINUTE: v.int({ description: 'POST/PUT/DELETE requests allowed per client per minute (429 beyond)', default: '60', min: 1 }),
  READ_RATE_LIMIT_PER_MINUTE: v.int({
    description: 'Page and API reads allowed per client per minute (429 beyond; probes, assets and live streams are not counted); 0 turns the limit off',
    default: '1200',
    min: 0,
  }),
  AUTH_FAILURES_PER_MINUTE: v.int({ description: 'Failed sign-ins a client may make per minute before it waits out the minute (429)', default: '10', min: 1 }),
  ALLOWED_HOSTS: v.string({
    description: 'Host names the dashboard answers to, comma-separated (DNS-rebinding defence; probes are exempt); * answers to any',
    default: 'localhost,127.0.0.1,::1',
  }),
};

/** Rules across variables, checked with the rest at start-up. */
export const gatewayConfigRules: ConfigRule<typeof gatewayConfig>[] = [
  (c) => (c.AUTH_MODE === 'basic' && !c.AUTH_PASSWORD ? ['AUTH_PASSWORD is required when AUTH_MODE=basic'] : []),
  (c) =>
    c.AUTH_MODE === 'alb-oidc'
      ? [
          ...(c.ALB_OIDC_SIGNER_ARN ? [] : ['ALB_OIDC_SIGNER_ARN is required when AUTH_MODE=alb-oidc (the ALB whose signature is trusted)']),
          ...(c.ALB_OIDC_KEY_URL || c.AWS_REGION ? [] : ['AWS_REGION or ALB_OIDC_KEY_URL is required when AUTH_MODE=alb-oidc']),
        ]
      : [],
];

/** The validated configuration of this component: its own variables and the common ones. */
export type GatewayConfig = ConfigOf<typeof gatewayConfig> & CommonConfig;

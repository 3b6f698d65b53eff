import { type ConfigRule, v, type CommonConfig, type ConfigOf } from '@eks-info/platform';

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
  TRUST_PROXY: v.bool({ description: 'Trust X-Forwarded-* from the load balancer for client IP, host and scheme', default: 'false' }),
  BODY_LIMIT_BYTES: v.int({ description: 'Largest JSON or form body accepted (413 beyond)', default: String(1024 * 1024), min: 1024 }),
  UPLOAD_LIMIT_BYTES: v.int({ description: 'Largest file upload accepted (413 beyond)', default: String(10 * 1024 * 1024), min: 1024 }),
  MUTATION_RATE_LIMIT_PER_MINUTE: v.int({ description: 'POST/PUT/DELETE requests allowed per client per minute (429 beyond)', default: '60', min: 1 }),
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

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { CommonErrors } from '@eks-info/contracts';
import { LogOnce } from '@eks-info/platform';
import { envelope } from '../http/error-envelope';
import { isPublic } from '../http/route-classes';
import { AlbOidcVerifier } from './alb-oidc';
import { checkBasicAuth } from './basic-auth';
import { FailureThrottle } from './failure-throttle';

export interface AuthSettings {
  AUTH_MODE: 'none' | 'basic' | 'alb-oidc';
  AUTH_FAILURES_PER_MINUTE: number;
  AUTH_USERNAME: string;
  AUTH_PASSWORD?: string;
  ALB_OIDC_SIGNER_ARN?: string;
  ALB_OIDC_KEY_URL?: string;
  AWS_REGION?: string;
}

/**
 * Authentication for every other route, as an onRequest hook. `none` is for local runs; the Helm
 * chart defaults to `basic` with a generated password; `alb-oidc` trusts only identities signed
 * by the configured ALB.
 */
export function createAuthHook(settings: AuthSettings, logger: Logger) {
  const logOnce = new LogOnce(logger, 60_000);
  const failures = new FailureThrottle({ max: settings.AUTH_FAILURES_PER_MINUTE, windowMs: 60_000 });
  const verifier =
    settings.AUTH_MODE === 'alb-oidc'
      ? new AlbOidcVerifier(settings.ALB_OIDC_SIGNER_ARN!, settings.ALB_OIDC_KEY_URL ?? AlbOidcVerifier.keyUrlFor(settings.AWS_REGION!))
      : undefined;

  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (settings.AUTH_MODE === 'none') return;
    if (isPublic(request.url)) return;
    if (settings.AUTH_MODE === 'basic') {
      const wait = failures.retryAfterSeconds(request.ip);
      if (wait > 0) {
        logOnce.warn('auth.throttled', { client: request.ip }, 'sign-ins from a client paused after repeated failures');
        await reply
          .code(429)
          .header('retry-after', String(wait))
          .send(
            envelope(
              {
                code: CommonErrors.RATE_LIMITED.code,
                message: `Too many failed sign-ins from this client: try again in ${wait} s.`,
                fix: 'Use the password from the Helm release notes (kubectl get secret … as NOTES.txt shows).',
              },
              request.id,
            ),
          );
        return;
      }
      const user = checkBasicAuth(request.headers.authorization, settings.AUTH_USERNAME, settings.AUTH_PASSWORD!);
      if (user) {
        failures.succeed(request.ip);
        (request as FastifyRequest & { user?: string }).user = user;
        return;
      }
      // A browser's first request carries no credentials: only a wrong password is a failure.
      if (request.headers.authorization) failures.fail(request.ip);
      reply.header('www-authenticate', 'Basic realm="EKS Info", charset="UTF-8"');
      await reply.code(401).send(
        envelope(
          {
            code: CommonErrors.UNAUTHORIZED.code,
            message: 'Authentication required.',
            fix: 'Sign in with the user and password from the Helm release notes.',
          },
          request.id,
        ),
      );
      return;
    }
    try {
      (request as FastifyRequest & { user?: string }).user = await verifier!.verify(request.headers['x-amzn-oidc-data'] as string | undefined);
    } catch (err) {
      logOnce.warn('auth.alb-oidc', { reason: (err as Error).message }, 'rejected a request without a valid ALB OIDC identity');
      await reply
        .code(401)
        .send(
          envelope({ code: CommonErrors.UNAUTHORIZED.code, message: 'A valid ALB OIDC identity is required.', details: (err as Error).message }, request.id),
        );
    }
  };
}

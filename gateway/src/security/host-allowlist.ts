import type { FastifyReply, FastifyRequest } from 'fastify';
import { CommonErrors } from '@eks-info/contracts';
import { envelope } from '../http/error-envelope';
import { isProbe } from '../http/route-classes';

/** `example.com:8080` → `example.com`; `[::1]:8080` → `::1`. */
export function hostName(host: string | undefined): string {
  const h = (host ?? '').trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.indexOf(':');
  return colon >= 0 && h.indexOf(':', colon + 1) < 0 ? h.slice(0, colon) : h;
}

/**
 * DNS rebinding defence: a page on an attacker's domain whose name later resolves to 127.0.0.1
 * is same-origin with itself, so Origin checks pass; only the Host header shows the foreign name.
 * Requests whose Host is not one of `allowed` (`*` allows any) are refused with 403.
 */
export function createHostAllowlistHook(allowed: string[]) {
  const any = allowed.includes('*');
  const names = new Set(allowed.map((h) => hostName(h)));
  return function checkHost(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    if (any || isProbe(request.url)) return done();
    const name = hostName(request.host);
    if (names.has(name)) return done();
    // Answered here: the request goes no further (done is not called).
    void reply.code(403).send(
      envelope(
        {
          code: CommonErrors.FORBIDDEN.code,
          message: `Host ${JSON.stringify(name.slice(0, 100))} is not served here.`,
          fix: 'Open the dashboard by a name listed in ALLOWED_HOSTS (the chart sets the Ingress host).',
        },
        request.id,
      ),
    );
  };
}

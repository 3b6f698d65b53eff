import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CommonErrors } from '@eks-info/contracts';
import { envelope } from '../http/error-envelope';

export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Where a browser says the request comes from. `Sec-Fetch-Site` decides when present (scripts
 * cannot set it, and it stays exact where `Origin` may be "null", e.g. under a no-referrer
 * policy); otherwise `Origin` must name this host. Requests with neither header are not from a
 * browser page (curl, scripts) and carry no ambient credentials to abuse.
 */
export function crossSite(request: FastifyRequest): string | undefined {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin' || site === 'none' ? undefined : `Sec-Fetch-Site: ${site}`;
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  try {
    if (origin !== 'null' && new URL(origin).host === request.host) return undefined;
  } catch {
    // fall through: an unparsable Origin is not same-origin
  }
  return `Origin ${origin} is not ${request.host}`;
}

/**
 * CSRF defence for every POST/PUT/PATCH/DELETE, in two hooks:
 * - onRequest: same-origin check; JSON, form or multipart bodies only (415 otherwise). JSON
 *   cannot be sent cross-site without a CORS preflight, which this server never approves.
 * - preHandler: forms and uploads (which a foreign page *can* send) must carry the CSRF token
 *   (double-submit: secret in an HttpOnly SameSite cookie, token in the form, header or query).
 */
export function installMutationGuard(fastify: FastifyInstance): void {
  // Callback-style, so a read passes with no promise; a refusal answers here and does not call done.
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (SAFE_METHODS.has(request.method)) return done();
    const foreign = crossSite(request);
    if (foreign) {
      void reply.code(403).send(envelope({ code: CommonErrors.FORBIDDEN.code, message: 'Cross-site request refused.', details: foreign }, request.id));
      return;
    }
    const type = mediaType(request);
    const hasBody = request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0';
    if ((hasBody || request.headers['transfer-encoding']) && type !== 'application/json' && !FORM_TYPES.includes(type)) {
      void reply.code(415).send(
        envelope(
          {
            code: CommonErrors.UNSUPPORTED_MEDIA_TYPE.code,
            message: `Content-Type ${type || '(none)'} is not accepted.`,
            fix: 'Send application/json (API) or submit the page form.',
          },
          request.id,
        ),
      );
      return;
    }
    done();
  });
  fastify.addHook('preHandler', (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    if (SAFE_METHODS.has(request.method) || !FORM_TYPES.includes(mediaType(request))) return done();
    fastify.csrfProtection(request, reply, done);
  });
}

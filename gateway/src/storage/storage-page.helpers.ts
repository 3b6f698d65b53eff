import type { FastifyReply } from 'fastify';

/** Confirmation messages after a form post (PRG): only these fixed texts are ever shown. */
export const NOTICES: Record<string, string> = {
  'entry-written': 'Entry appended to the EBS volume of the pod that answered.',
  cleanup: 'Old access logs cleaned up on every storage pod that answered.',
  'file-written': 'File written to the shared EFS volume.',
  'file-deleted': 'File deleted from the shared EFS volume.',
  uploaded: 'Uploaded to S3.',
  deleted: 'Object deleted from S3.',
  report: 'Statistics report uploaded.',
};

export function notice(done: unknown): string | undefined {
  return typeof done === 'string' ? NOTICES[done] : undefined;
}

/** A key as a URL path, each segment encoded (keys are validated again by the service). */
export function keyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** Renders a page with a status (a failed form post shows the page again with the error). */
export function renderPage(reply: FastifyReply, template: string, data: object, status = 200): FastifyReply {
  return reply.code(status).view(template, data) as FastifyReply;
}

/** Post/Redirect/Get after a successful form post. */
export function redirectTo(reply: FastifyReply, url: string): FastifyReply {
  return reply.redirect(url, 303);
}

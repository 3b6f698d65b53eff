import { type ErrorBody, KubeErrors } from '@eks-info/contracts';

export interface KubeErrorContext {
  verb: 'list' | 'watch' | 'get';
  /** Plural resource name; group when not core. */
  resource: string;
  group?: string;
  /** Namespace of a namespaced request; undefined = cluster-wide. */
  namespace?: string;
  /** API server URL, named when it cannot be reached. */
  server?: string;
  /** The call is an informer's: it needs list and watch, whichever of them was refused. */
  informer?: boolean;
}

/** An HTTP error from the API server with its `Status` body, from a raw request. */
export class KubeHttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly status: { message?: string; reason?: string } | undefined,
  ) {
    super(status?.message ?? `HTTP ${statusCode}`);
    this.name = 'KubeHttpError';
  }
}

/** HTTP status of an error from any client-node path (ApiException.code, Watch's statusCode, ours). */
export function httpStatusOf(err: unknown): number | undefined {
  const e = err as { statusCode?: unknown; code?: unknown } | undefined;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  if (typeof e?.code === 'number') return e.code;
  return undefined;
}

/** The API server's own message (its Status body), wherever the client put it. */
function serverMessage(err: unknown): string | undefined {
  const e = err as { status?: { message?: string }; body?: unknown } | undefined;
  if (e?.status?.message) return e.status.message;
  let body = e?.body;
  if (typeof body === 'string') {
    const text = body;
    try {
      body = JSON.parse(text);
    } catch {
      return text || undefined;
    }
  }
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

/** Why a connection failed, in the words of the socket layer (ECONNREFUSED, other side closed…). */
function networkReason(err: unknown): string {
  const e = err as { code?: unknown; message?: string; cause?: { code?: unknown; message?: string } } | undefined;
  const code = typeof e?.cause?.code === 'string' ? e.cause.code : typeof e?.code === 'string' ? e.code : undefined;
  const message = e?.cause?.message ?? e?.message ?? String(err);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

/**
 * Maps a failed list/watch/get to the error body a page section shows: what failed in words,
 * the API server's message as details, and what to do about it.
 */
export function toKubeError(err: unknown, ctx: KubeErrorContext): ErrorBody {
  const status = httpStatusOf(err);
  const what = ctx.group ? `${ctx.resource}.${ctx.group}` : ctx.resource;
  const scope = ctx.namespace ? `in namespace "${ctx.namespace}"` : 'cluster-wide';
  const details = serverMessage(err);
  if (status === 403) {
    const binding = ctx.namespace ? `a Role in namespace "${ctx.namespace}" (bound with a RoleBinding)` : 'a ClusterRole (bound with a ClusterRoleBinding)';
    return {
      code: KubeErrors.FORBIDDEN.code,
      message: `Forbidden: the service account cannot ${ctx.verb} ${what} ${scope}`,
      details,
      // What the refused call needs, no more: an informer lists and watches, a poll lists, a lookup gets.
      fix: `Grant the service account ${ctx.informer ? 'list and watch' : ctx.verb} on "${ctx.resource}" (apiGroups: ["${ctx.group ?? ''}"]) in ${binding}; the Helm chart's RBAC templates do this.`,
    };
  }
  if (status === 401) {
    return {
      code: KubeErrors.UNAUTHORIZED.code,
      message: 'Unauthorized: the API server rejected the credentials',
      details,
      fix: 'In a pod, check that the service-account token is mounted (automountServiceAccountToken); outside, refresh the kubeconfig (e.g. `aws eks update-kubeconfig`).',
    };
  }
  if (status === 404) {
    return {
      code: KubeErrors.API_NOT_FOUND.code,
      message: `The API server does not serve ${what}`,
      details,
      fix: ctx.group ? `Install the API group ${ctx.group} (its CRDs or aggregated API server).` : undefined,
    };
  }
  if (status !== undefined) {
    return {
      code: KubeErrors.UNREACHABLE.code,
      message: `The API server answered ${status} to ${ctx.verb} ${what} ${scope}`,
      details,
    };
  }
  return {
    code: KubeErrors.UNREACHABLE.code,
    message: `Cannot reach the Kubernetes API server${ctx.server ? ` at ${ctx.server}` : ''}`,
    details: networkReason(err),
    fix: 'Check that the API server endpoint is reachable from here (cluster endpoint access, security groups, proxy settings).',
  };
}

import { CommonErrors, type ErrorBody, KubeErrors, type Section, TransportErrors, failed, unavailable } from '@eks-info/contracts';
import { RpcError } from '@eks-info/platform';

/** No responder on the bus (the service is not deployed) or no cluster to watch: facts about this install, not failures. */
const NOT_HERE = new Set([TransportErrors.UNAVAILABLE.code, KubeErrors.NOT_IN_CLUSTER.code]);

/** A failed bus call's error body; `fallback` when it was not an answer from the service. */
export function errorBody(err: unknown, fallback: string): ErrorBody {
  return err instanceof RpcError ? err.body : { code: CommonErrors.INTERNAL.code, message: fallback };
}

/**
 * A failed bus call as a page section: neutral (`unavailable`, its message prefixed by `source`,
 * e.g. "The scaling timeline comes from the scaling monitor") when the source is not here, red
 * (`error`) otherwise.
 */
export function sectionFromError<T>(err: unknown, fallback: string, source: string): Section<T> {
  const body = errorBody(err, fallback);
  return NOT_HERE.has(body.code) ? unavailable({ ...body, message: `${source}: ${body.message}` }) : failed(body);
}

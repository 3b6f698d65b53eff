import { type ErrorBody, KubeErrors, type Section, failed, ok, unavailable } from '@eks-info/contracts';
import type { InformerStatus } from './informer';

/**
 * A page section from the informers it reads: an error when one failed before its first list,
 * "loading" until all have listed, else the data — with a note when an informer is failing and
 * the data is the last known state. `failedCode` names the domain's "could not build" error.
 */
export function informerSection<T>(list: InformerStatus[], build: () => T, failedCode: string): Section<T> {
  const neverListed = list.find((x) => x.lastError && !x.synced);
  if (neverListed) return failed(neverListed.lastError!);
  const loading = list.find((x) => !x.synced);
  if (loading) return unavailable({ code: KubeErrors.NOT_SYNCED.code, message: `Still loading ${loading.name} from the API server` });
  return builtSection(build, failedCode, list.find((x) => x.lastError)?.lastError ?? undefined);
}

/** The data of a section, or the error that building it raised: one broken section never breaks the page. */
export function builtSection<T>(build: () => T, failedCode: string, failing?: ErrorBody): Section<T> {
  let data: T;
  try {
    data = build();
  } catch (err) {
    return failed({ code: failedCode, message: `This section could not be built: ${(err as Error).message}` });
  }
  return failing ? ok(data, `Showing the last known state: ${failing.message}`) : ok(data);
}

import { EnvironmentErrors, type ErrorBody, type Section, failed } from '@eks-info/contracts';
import { withDeadline } from '@eks-info/platform';

/**
 * Bounds a section's wait: a slow source (an API server under load, a cold AWS call) turns into
 * an error section after `ms` instead of holding the whole page, and a failure becomes an error
 * section instead of failing the page.
 */
export function sectionWithin<T>(work: Promise<Section<T>>, ms: number, what: string, onError?: (err: unknown) => ErrorBody): Promise<Section<T>> {
  const settled = work.catch((err: unknown) =>
    failed<T>(onError?.(err) ?? { code: EnvironmentErrors.COLLECTOR_FAILED.code, message: `${what} failed: ${(err as Error)?.message ?? String(err)}` }),
  );
  return withDeadline(settled, ms, () =>
    failed<T>({
      code: EnvironmentErrors.SECTION_TIMEOUT.code,
      message: `${what} did not answer within ${ms} ms.`,
      fix: 'Reload in a moment: the answer is cached when it arrives.',
    }),
  );
}

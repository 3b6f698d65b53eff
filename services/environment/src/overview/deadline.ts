import { EnvironmentErrors, type ErrorBody, type Section, failed } from '@eks-info/contracts';

/**
 * Bounds a section's wait: a slow source (an API server under load, a cold AWS call) turns into
 * an error section after `ms` instead of holding the whole page. The work itself continues and
 * fills its cache for the next view.
 */
export async function withDeadline<T>(work: Promise<Section<T>>, ms: number, what: string, onError?: (err: unknown) => ErrorBody): Promise<Section<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Section<T>>((resolve) => {
    timer = setTimeout(
      () =>
        resolve(
          failed({
            code: EnvironmentErrors.SECTION_TIMEOUT.code,
            message: `${what} did not answer within ${ms} ms.`,
            fix: 'Reload in a moment: the answer is cached when it arrives.',
          }),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([
      work.catch((err: unknown) =>
        failed<T>(onError?.(err) ?? { code: EnvironmentErrors.COLLECTOR_FAILED.code, message: `${what} failed: ${(err as Error)?.message ?? String(err)}` }),
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

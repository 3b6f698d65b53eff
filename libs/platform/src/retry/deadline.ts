/**
 * The result of `work`, or `onDeadline()` once `ms` have passed. The work is not cancelled: a
 * slow source (an AWS describe call, an API server under load) that finishes late still fills
 * its cache for the next view, while this view moves on.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, onDeadline: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onDeadline()), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

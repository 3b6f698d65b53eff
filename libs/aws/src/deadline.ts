import { AwsErrors, type ErrorBody } from '@eks-info/contracts';

/**
 * The result of `work`, or `onDeadline()` once `ms` have passed. The work is not cancelled: an
 * AWS describe call that finishes late still fills its cache for the next page view.
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

/** The body of a section whose AWS calls outlived its deadline. */
export function deadlineBody(what: string, ms: number): ErrorBody {
  return {
    code: AwsErrors.TIMEOUT.code,
    message: `${what}: AWS did not answer within ${ms} ms`,
    details: 'The call continues in the background and its result is cached when it arrives.',
    fix: 'Reload in a few seconds. If it persists, check the route to the AWS API (NAT gateway or VPC endpoint).',
  };
}

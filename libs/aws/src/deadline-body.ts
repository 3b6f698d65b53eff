import { AwsErrors, type ErrorBody } from '@eks-info/contracts';

/** The body of a section whose AWS calls outlived its deadline. */
export function deadlineBody(what: string, ms: number): ErrorBody {
  return {
    code: AwsErrors.TIMEOUT.code,
    message: `${what}: AWS did not answer within ${ms} ms`,
    details: 'The call continues in the background and its result is cached when it arrives.',
    fix: 'Reload in a few seconds. If it persists, check the route to the AWS API (NAT gateway or VPC endpoint).',
  };
}

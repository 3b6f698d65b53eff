import type { ErrorBody } from '@eks-info/contracts';
import type { ImdsOffReason } from '../aws.config';

/** A failed IMDS read; `body` is what a page section shows (code IMDS.DISABLED or IMDS.UNREACHABLE). */
export class ImdsError extends Error {
  constructor(
    readonly body: ErrorBody,
    /** Set on IMDS.DISABLED: why IMDS is off. */
    readonly offReason?: ImdsOffReason,
  ) {
    super(body.message);
    this.name = 'ImdsError';
  }

  get code(): string {
    return this.body.code;
  }
}

/** Shown with every unreachable IMDS: from a pod, the usual cause is the hop limit. */
export const IMDS_HOP_LIMIT_FIX =
  'A pod reaches IMDSv2 only when the node allows 2 network hops: set HttpPutResponseHopLimit to 2 ' +
  '(launch template metadata_options http_put_response_hop_limit = 2, or ' +
  '`aws ec2 modify-instance-metadata-options --instance-id <id> --http-put-response-hop-limit 2 --http-endpoint enabled`). ' +
  'Not on EC2? Set IMDS_MODE=off and set AWS_REGION / VPC_ID instead.';

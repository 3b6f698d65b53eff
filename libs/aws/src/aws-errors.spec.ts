import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2ServiceException } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsErrors, ImdsErrors } from '@eks-info/contracts';
import { awsErrorLogFields, describeAwsError } from './aws-errors';
import { ImdsError } from './imds/imds.errors';

const metadata = { httpStatusCode: 403, requestId: 'req-123', attempts: 1, totalRetryDelay: 0 };

describe('describeAwsError', () => {
  it.each([
    [
      'UnauthorizedOperation',
      () => new EC2ServiceException({ name: 'UnauthorizedOperation', $fault: 'client', $metadata: metadata, message: 'You are not authorized' }),
    ],
    ['AccessDenied', () => new EC2ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: metadata, message: 'User is not authorized' })],
    [
      'AccessDeniedException',
      () => new ElasticLoadBalancingV2ServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: metadata, message: 'denied' }),
    ],
  ])('%s → AWS.ACCESS_DENIED naming the action and resource, with AWS code and request id in details', (code, make) => {
    const body = describeAwsError(make(), 'ec2:DescribeRouteTables', 'vpc-0abc');
    expect(body.code).toBe(AwsErrors.ACCESS_DENIED.code);
    expect(body.message).toBe('missing permission ec2:DescribeRouteTables on vpc-0abc');
    expect(body.details).toContain(code);
    expect(body.details).toContain('request id req-123');
    expect(body.fix).toContain('IRSA');
    expect(body.fix).toContain('ec2:DescribeRouteTables');
  });

  it('leaves the resource out when unknown', () => {
    const err = new EC2ServiceException({ name: 'UnauthorizedOperation', $fault: 'client', $metadata: metadata });
    expect(describeAwsError(err, 'ec2:DescribeVpcs').message).toBe('missing permission ec2:DescribeVpcs');
  });

  it('missing credentials → AWS.NO_CREDENTIALS with a fix', () => {
    const err = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    const body = describeAwsError(err, 'ec2:DescribeVpcs');
    expect(body.code).toBe(AwsErrors.NO_CREDENTIALS.code);
    expect(body.fix).toContain('eks.amazonaws.com/role-arn');
  });

  it.each([
    ['TimeoutError', Object.assign(new Error('socket timed out'), { name: 'TimeoutError' })],
    ['AbortError', Object.assign(new Error('aborted'), { name: 'AbortError' })],
    ['ETIMEDOUT', Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' })],
  ])('%s → AWS.TIMEOUT', (_, err) => {
    expect(describeAwsError(err, 'ec2:DescribeVpcs').code).toBe(AwsErrors.TIMEOUT.code);
  });

  it("throttling and other service errors → AWS.ERROR carrying AWS's code", () => {
    const err = new EC2ServiceException({
      name: 'RequestLimitExceeded',
      $fault: 'client',
      $metadata: { ...metadata, httpStatusCode: 503, attempts: 3 },
      message: 'Request limit exceeded.',
    });
    const body = describeAwsError(err, 'ec2:DescribeSubnets');
    expect(body.code).toBe(AwsErrors.ERROR.code);
    expect(body.message).toContain('RequestLimitExceeded');
    expect(body.details).toBe('RequestLimitExceeded (HTTP 503, request id req-123, 3 attempts): Request limit exceeded.');
  });

  it('network failures name the code, also when the SDK wrapped the error and kept only its message', () => {
    const raw = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const wrapped = new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:9');
    for (const err of [raw, wrapped]) {
      const body = describeAwsError(err, 'ec2:DescribeVpcs');
      expect(body.code).toBe(AwsErrors.ERROR.code);
      expect(body.message).toBe('cannot reach the AWS endpoint for ec2:DescribeVpcs (ECONNREFUSED)');
    }
  });

  it('an IMDS failure while resolving the region → AWS.NOT_CONFIGURED', () => {
    const err = new ImdsError({ code: ImdsErrors.DISABLED.code, message: 'IMDS is off outside Kubernetes', fix: 'Set IMDS_MODE=on to enable it' });
    const body = describeAwsError(err, 'ec2:DescribeVpcs');
    expect(body.code).toBe(AwsErrors.NOT_CONFIGURED.code);
    expect(body.fix).toContain('AWS_REGION');
  });

  it('log fields carry code, status, request id and attempts', () => {
    const err = new EC2ServiceException({ name: 'UnauthorizedOperation', $fault: 'client', $metadata: metadata, message: 'no' });
    expect(awsErrorLogFields(err)).toMatchObject({ aws_code: 'UnauthorizedOperation', http_status: 403, request_id: 'req-123', attempts: 1, fault: 'client' });
  });
});

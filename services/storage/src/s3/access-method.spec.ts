import { callerIdentity, detectAccessMethod, roleNameOf } from './access-method';

describe('S3 access method', () => {
  it('recognises IRSA from the variables the EKS webhook injects', () => {
    const m = detectAccessMethod(
      {
        AWS_ROLE_ARN: 'arn:aws:iam::111122223333:role/eks-info-storage',
        AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
      },
      false,
    );
    expect(m).toMatchObject({ method: 'irsa', roleArn: 'arn:aws:iam::111122223333:role/eks-info-storage' });
  });

  it('recognises EKS Pod Identity from the container credentials endpoint', () => {
    const m = detectAccessMethod(
      {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials',
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token',
      },
      false,
    );
    expect(m.method).toBe('pod-identity');
    expect(m.details).toContain('169.254.170.23');
  });

  it('prefers IRSA when both are present, flags static keys, and says when there is nothing', () => {
    expect(
      detectAccessMethod({ AWS_ROLE_ARN: 'arn:aws:iam::1:role/r', AWS_WEB_IDENTITY_TOKEN_FILE: '/t', AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://x' }, false)
        .method,
    ).toBe('irsa');
    expect(detectAccessMethod({ AWS_ACCESS_KEY_ID: 'AKIA…' }, false).method).toBe('static-keys');
    expect(detectAccessMethod({}, false)).toMatchObject({ method: 'none' });
    expect(detectAccessMethod({ AWS_ROLE_ARN: 'arn:aws:iam::1:role/r' }, true).method).toBe('local');
  });

  it('names the role of an assumed-role or role ARN', () => {
    expect(roleNameOf('arn:aws:sts::111122223333:assumed-role/eks-info-storage/botocore-session-1')).toBe('eks-info-storage');
    expect(roleNameOf('arn:aws:iam::111122223333:role/path/to/app-role')).toBe('app-role');
    expect(roleNameOf('arn:aws:iam::111122223333:user/alice')).toBeNull();
    expect(callerIdentity({ Account: '1', Arn: 'arn:aws:sts::1:assumed-role/R/s', UserId: 'AROA:s' })).toEqual({
      account: '1',
      arn: 'arn:aws:sts::1:assumed-role/R/s',
      userId: 'AROA:s',
      roleName: 'R',
    });
  });
});

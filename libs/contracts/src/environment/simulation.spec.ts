import { AwsErrors, ImdsErrors, KubeErrors } from '../common/dependency.errors';
import { type Section, failed, ok, unavailable } from '../common/section';
import { SIMULATED_LABELS, simulatedLabels, simulatedSources, withDemoHint } from './simulation';

const notInCluster: Section<string> = unavailable({ code: KubeErrors.NOT_IN_CLUSTER.code, message: 'Not running in Kubernetes', fix: 'Run it in a cluster.' });
const imdsOff: Section<string> = unavailable({
  code: ImdsErrors.DISABLED.code,
  message: 'IMDS is off outside Kubernetes',
  fix: 'Set IMDS_MODE=on to enable it',
});
const noVpc: Section<string> = unavailable({ code: AwsErrors.NOT_CONFIGURED.code, message: 'No VPC' });

describe('simulated sources', () => {
  it('reads SIMULATED_SOURCES; unset means not the demo', () => {
    expect(simulatedSources(undefined)).toBeUndefined();
    expect(simulatedSources('')).toBeUndefined();
    expect([...simulatedSources('kubernetes, aws')!]).toEqual(['kubernetes', 'aws']);
  });

  it('labels only the sources a view uses that are simulated, and nothing outside the demo', () => {
    expect(simulatedLabels(simulatedSources('kubernetes,imds'), 'kubernetes', 'aws')).toEqual({ kubernetes: SIMULATED_LABELS.kubernetes });
    expect(simulatedLabels(simulatedSources('imds'), 'kubernetes')).toBeUndefined();
    expect(simulatedLabels(undefined, 'kubernetes', 'imds', 'aws')).toBeUndefined();
    expect(SIMULATED_LABELS.kubernetes).toMatch(/^a simulated cluster/);
  });

  it('npm start: a not-here section keeps its reason and fix and says how npm run demo shows it', () => {
    const hinted = withDemoHint(notInCluster, 'kubernetes', undefined);
    expect(hinted).toMatchObject({ status: 'unavailable', code: KubeErrors.NOT_IN_CLUSTER.code, message: 'Not running in Kubernetes' });
    expect(hinted.status === 'unavailable' && hinted.fix).toBe(
      'Run it in a cluster. To see one without a cluster, `npm run demo` simulates an EKS cluster on this machine.',
    );
    const ec2 = withDemoHint(imdsOff, 'imds', undefined);
    expect(ec2.status === 'unavailable' && ec2.fix).toBe(
      'Set IMDS_MODE=on to enable it. To see one without EC2, `npm run demo` serves a simulated instance from the EC2 metadata mock.',
    );
    const net = withDemoHint(noVpc, 'aws', undefined);
    expect(net.status === 'unavailable' && net.fix).toBe('To see one without AWS, `npm run demo` seeds a simulated EKS VPC into moto.');
  });

  it('the demo without moto: the section names the tool it could not run', () => {
    const net = withDemoHint(noVpc, 'aws', simulatedSources('kubernetes'));
    expect(net.status === 'unavailable' && net.fix).toMatch(/^The demo could not simulate this here: it needs moto \(scripts\/tools\/install\.sh moto/);
  });

  it('leaves alone what is simulated, what is there, and failures that are not "not here"', () => {
    expect(withDemoHint(notInCluster, 'kubernetes', simulatedSources('kubernetes'))).toBe(notInCluster);
    const there = ok('data');
    expect(withDemoHint(there, 'kubernetes', undefined)).toBe(there);
    const broken = failed({ code: KubeErrors.FORBIDDEN.code, message: 'forbidden' });
    expect(withDemoHint(broken, 'kubernetes', undefined)).toBe(broken);
    const otherReason = unavailable({ code: KubeErrors.NOT_SYNCED.code, message: 'loading' });
    expect(withDemoHint(otherReason, 'kubernetes', undefined)).toBe(otherReason);
  });
});

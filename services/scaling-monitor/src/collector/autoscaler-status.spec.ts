import { clusterAutoscalerView } from './autoscaler-status';

describe('clusterAutoscalerView', () => {
  it('reads the YAML status of Cluster Autoscaler 1.30 and later', () => {
    const status = `time: 2025-11-13 10:30:45.123456789 +0000 UTC
autoscalerStatus: Running
clusterWide:
  health:
    status: Healthy
    nodeCounts:
      registered:
        total: 4
        ready: 3
        notStarted: 1
  scaleUp:
    status: InProgress
  scaleDown:
    status: NoCandidates
    candidates: 0
nodeGroups:
- name: eks-default-abc
  health:
    status: Healthy
    nodeCounts:
      registered:
        total: 4
        ready: 3
    cloudProviderTarget: 4
    minSize: 2
    maxSize: 6
  scaleUp:
    status: Backoff
    backoffInfo:
      errorCode: InstanceLimitExceeded
      errorMessage: capacity
  scaleDown:
    status: NoCandidates
    candidates: 0
`;
    expect(clusterAutoscalerView({ data: { status } })).toEqual({
      updatedAt: '2025-11-13T10:30:45.123Z',
      health: 'Healthy (ready=3 registered=4 notStarted=1)',
      scaleUp: 'InProgress',
      scaleDown: 'NoCandidates (candidates=0)',
      nodeGroups: [
        {
          name: 'eks-default-abc',
          health: 'Healthy',
          ready: 3,
          registered: 4,
          target: 4,
          minSize: 2,
          maxSize: 6,
          scaleUp: 'Backoff (InstanceLimitExceeded: capacity)',
          scaleDown: 'NoCandidates (candidates=0)',
        },
      ],
      raw: null,
    });
  });

  it('reads the text status of older versions', () => {
    const status = `Cluster-autoscaler status at 2024-01-10 08:00:00.123 +0000 UTC:
Cluster-wide:
  Health:      Healthy (ready=3 unready=0 (resourceUnready=0) notStarted=0 longNotStarted=0 registered=3 longUnregistered=0)
               LastProbeTime:      2024-01-10 08:00:00 +0000 UTC
  ScaleUp:     NoActivity (ready=3 registered=3)
  ScaleDown:   CandidatesPresent (candidates=1)

NodeGroups:
  Name:        eks-ng-1
  Health:      Healthy (ready=3 unready=0 notStarted=0 longNotStarted=0 registered=3 longUnregistered=0 cloudProviderTarget=3 (minSize=1, maxSize=10))
  ScaleUp:     NoActivity (ready=3 cloudProviderTarget=3)
  ScaleDown:   CandidatesPresent (candidates=1)
`;
    const view = clusterAutoscalerView({
      data: { status },
      metadata: { annotations: { 'cluster-autoscaler.kubernetes.io/last-updated': '2024-01-10 08:00:00.123 +0000 UTC' } },
    });
    expect(view).toMatchObject({
      updatedAt: '2024-01-10T08:00:00.123Z',
      health: 'Healthy (ready=3 unready=0 (resourceUnready=0) notStarted=0 longNotStarted=0 registered=3 longUnregistered=0)',
      scaleUp: 'NoActivity (ready=3 registered=3)',
      scaleDown: 'CandidatesPresent (candidates=1)',
      raw: null,
    });
    expect(view.nodeGroups).toEqual([
      {
        name: 'eks-ng-1',
        health: 'Healthy',
        ready: 3,
        registered: 3,
        target: 3,
        minSize: 1,
        maxSize: 10,
        scaleUp: 'NoActivity (ready=3 cloudProviderTarget=3)',
        scaleDown: 'CandidatesPresent (candidates=1)',
      },
    ]);
  });

  it('shows a status it cannot read as it is, instead of guessing', () => {
    const view = clusterAutoscalerView({ data: { status: 'something new and different' } });
    expect(view).toMatchObject({ health: 'unknown', nodeGroups: [], raw: 'something new and different' });
  });
});

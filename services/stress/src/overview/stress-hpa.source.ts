import {
  type ErrorBody,
  KubeErrors,
  type Section,
  type StressHpaMetric,
  type StressHpaView,
  StressErrors,
  StressRules,
  failed,
  ok,
  simulatedLabels,
  simulatedSources,
  unavailable,
  withDemoHint,
} from '@eks-info/contracts';
import { InformerHub, type KubeAccessResult, type ManagedInformer, type ResourceObjects } from '@eks-info/kube';
import { type CheckResult, type Logger } from '@eks-info/platform';

type Hpa = ResourceObjects['horizontalpodautoscalers'];

export interface StressHpaSourceOptions {
  access: KubeAccessResult;
  /** The HPA that scales the stress Deployment (the chart passes its name). */
  name?: string;
  watchdogSeconds: number;
  logger?: Logger;
  /** SIMULATED_SOURCES: in `npm run demo` the HPA is the simulated cluster's, and says so. */
  simulated?: string;
}

/**
 * The stress HPA from a shared informer on that one object (list once, then watch), so the page
 * reads memory, never the API. Outside a cluster, or without a name, the section says why.
 */
export class StressHpaSource {
  private hub?: InformerHub;
  private informer?: ManagedInformer<Hpa>;

  constructor(private readonly options: StressHpaSourceOptions) {}

  start(): void {
    const { access, name } = this.options;
    if (!access.ok || !name || this.informer) return;
    this.hub = InformerHub.fromSettings(access.access, { KUBE_WATCHDOG_SECONDS: this.options.watchdogSeconds }, this.options.logger);
    this.informer = this.hub.informer('horizontalpodautoscalers', { namespace: access.access.namespace, fieldSelector: `metadata.name=${name}` });
  }

  async stop(): Promise<void> {
    await this.hub?.stop();
  }

  get watching(): boolean {
    return Boolean(this.informer);
  }

  view(): Section<StressHpaView> {
    const sources = simulatedSources(this.options.simulated);
    return withDemoHint(this.hpaView(simulatedLabels(sources, 'kubernetes')), 'kubernetes', sources);
  }

  private hpaView(simulated: StressHpaView['simulated']): Section<StressHpaView> {
    const { access, name } = this.options;
    if (!access.ok) return unavailable(access.error);
    if (!name) {
      return unavailable({
        code: StressErrors.NO_HPA.code,
        message: 'No stress HPA is configured (STRESS_HPA_NAME is not set).',
        fix: 'Install with the Helm chart (stress.autoscaling.enabled=true sets it), or set STRESS_HPA_NAME. `npm run demo` sets it for the HPA of its simulated cluster.',
      });
    }
    const informer = this.informer;
    if (!informer) return unavailable({ code: KubeErrors.NOT_SYNCED.code, message: 'The HPA informer has not started.' });
    if (informer.lastError && !informer.synced) return failed(informer.lastError);
    if (!informer.synced)
      return unavailable({ code: KubeErrors.NOT_SYNCED.code, message: `Still loading HorizontalPodAutoscaler ${name} from the API server.` });
    const hpa = informer.get(name, access.access.namespace);
    if (!hpa) {
      return failed({
        code: StressErrors.NO_HPA.code,
        message: `HorizontalPodAutoscaler ${name} does not exist in namespace ${access.access.namespace}.`,
        fix: 'Enable it in the chart (stress.autoscaling.enabled=true) or correct STRESS_HPA_NAME.',
      });
    }
    const view = simulated ? { ...toHpaView(hpa), simulated } : toHpaView(hpa);
    return informer.lastError ? ok(view, `Showing the last known state: ${informer.lastError.message}`) : ok(view);
  }

  /** Readiness: fine outside a cluster or without an HPA; otherwise the informer must have listed. */
  readiness(): CheckResult {
    if (!this.informer)
      return { ok: true, detail: this.options.access.ok ? 'no stress HPA configured' : (this.options.access as { error: ErrorBody }).error.message };
    if (this.informer.lastError) return { ok: false, detail: `${this.informer.name}: ${this.informer.lastError.message}` };
    return this.informer.synced ? { ok: true, detail: 'stress HPA informer synced' } : { ok: false, detail: `${this.informer.name}: not synced yet` };
  }
}

/** autoscaling/v2 object → what the page shows, with the replica sum from the HPA's own CPU metric. */
export function toHpaView(hpa: Hpa): StressHpaView {
  const spec = hpa.spec;
  const status = hpa.status;
  const metrics: StressHpaMetric[] = (spec?.metrics ?? []).map((m) => {
    const name = m.resource?.name ?? m.containerResource?.name ?? m.pods?.metric?.name ?? m.object?.metric?.name ?? m.external?.metric?.name ?? m.type;
    const target = m.resource?.target ?? m.containerResource?.target;
    const current = (status?.currentMetrics ?? []).find((c) => c.type === m.type && (c.resource?.name ?? c.containerResource?.name) === name);
    const cur = current?.resource?.current ?? current?.containerResource?.current;
    return {
      name,
      type: m.type,
      targetUtilization: target?.averageUtilization ?? null,
      currentUtilization: cur?.averageUtilization ?? null,
      currentValue: cur?.averageValue ?? cur?.value ?? null,
    };
  });
  const currentReplicas = status?.currentReplicas ?? 0;
  const cpu = metrics.find((m) => m.name === 'cpu' && m.targetUtilization !== null);
  const expected =
    cpu && cpu.currentUtilization !== null && currentReplicas > 0
      ? StressRules.expectedReplicas({
          currentReplicas,
          utilization: cpu.currentUtilization,
          target: cpu.targetUtilization!,
          minReplicas: spec?.minReplicas ?? 1,
          maxReplicas: spec?.maxReplicas,
          source: 'from metrics-server',
        })
      : null;
  return {
    name: hpa.metadata?.name ?? '',
    namespace: hpa.metadata?.namespace ?? '',
    target: spec?.scaleTargetRef ? { kind: spec.scaleTargetRef.kind, name: spec.scaleTargetRef.name } : null,
    minReplicas: spec?.minReplicas ?? 1,
    maxReplicas: spec?.maxReplicas ?? 0,
    currentReplicas,
    desiredReplicas: status?.desiredReplicas ?? 0,
    metrics,
    lastScaleTime: status?.lastScaleTime ?? null,
    conditions: (status?.conditions ?? []).map((c) => ({ type: c.type, status: c.status, reason: c.reason ?? '', message: c.message ?? '' })),
    expected,
  };
}

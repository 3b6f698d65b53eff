/**
 * What runs the containers of the pods the simulated control plane schedules: in the demo real
 * stress processes on NATS (`libs/testing/src/stress/stress-workers.ts`), in tests a stand-in
 * whose usage the test sets. The kubelet of the simulated cluster starts and stops them and
 * marks the pods Ready when they are; the HPA reads their usage.
 */
export interface RuntimePod {
  name: string;
  namespace: string;
  node: string;
  ip: string;
  serviceAccount: string;
  cpuRequestMillicores: number;
  cpuLimitMillicores: number;
  memoryRequestBytes: number;
  memoryLimitBytes: number;
}

export interface RunningPod {
  /** Resolves when the containers are ready (the process answers /ready), rejects if they never are. */
  ready: Promise<void>;
  /** Resolves when the containers have stopped, for whatever reason. */
  exited: Promise<void>;
  /** Stops the containers (SIGTERM, then SIGKILL after the grace period); resolves once they are gone. */
  stop(): Promise<void>;
}

export interface PodUsage {
  cpuMillicores: number;
  memoryBytes: number;
  /** Samples averaged. */
  samples: number;
}

export interface PodRuntime {
  start(pod: RuntimePod): RunningPod;
  /** The pod's CPU and memory averaged over the last `windowMs`; undefined while it has reported nothing in that window. */
  usage(pod: string, windowMs: number): PodUsage | undefined;
}

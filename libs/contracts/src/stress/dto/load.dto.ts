import type { Served } from '../../common/served-by';

/**
 * Sustained load: an aggregate CPU demand spread over the stress pods. One pod (the dispatcher)
 * publishes work units at the needed rate on a queue group; whichever pod takes a unit burns its
 * CPU time. More replicas → each takes fewer units → per-pod utilisation falls.
 */
export interface SustainedLoadRequest {
  loadId: string;
  /** Aggregate CPU to generate across all stress pods, in millicores. */
  millicores: number;
  durationSeconds: number;
}

export interface SustainedLoadStatus {
  id: string;
  millicores: number;
  durationSeconds: number;
  /** CPU time per unit. */
  unitMs: number;
  unitsPerSecond: number;
  state: 'running' | 'completed' | 'stopped';
  startedAt: string;
  endsAt: string;
  finishedAt: string | null;
  progress: number;
  /** Units published so far. */
  published: number;
  dispatcher: { pod: string; node: string };
}

export interface SustainedLoadReply extends Served {
  load: SustainedLoadStatus;
  duplicate: boolean;
}

/** One unit of sustained load, taken by one pod of the queue group. */
export interface WorkUnit {
  loadId: string;
  seq: number;
  cpuMs: number;
  /** Epoch ms; a unit still queued one second later is dropped (the pod is saturated). */
  issuedAt: number;
}

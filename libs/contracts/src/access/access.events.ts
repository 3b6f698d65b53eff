import { defineEvent } from '../common/rpc';

/**
 * One page or API request, as the gateway saw it (the design seed's access-log record). Emitted
 * fire-and-forget for every request; storage replicas consume it on a queue group, so each
 * record is appended to exactly one pod's EBS volume.
 */
export interface AccessRecord {
  timestamp: string;
  pod_name: string;
  node_name: string;
  client_ip: string;
  request_path: string;
  request_method: string;
  user_agent: string;
  response_status: number;
  response_time_ms: number;
  request_id?: string;
}

export const AccessEvents = {
  recorded: defineEvent<AccessRecord>('access.recorded', { consumer: 'storage' }),
} as const;

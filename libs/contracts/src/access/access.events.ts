import { z } from 'zod';
import { defineEvent } from '../common/rpc';

/**
 * One page or API request, as the gateway saw it (the design seed's access-log record). Emitted
 * fire-and-forget for every request; storage replicas consume it on a queue group, so each
 * record is appended to exactly one pod's EBS volume.
 */
export const AccessRecord = z.object({
  timestamp: z.string(),
  pod_name: z.string(),
  node_name: z.string(),
  client_ip: z.string(),
  request_path: z.string(),
  request_method: z.string(),
  user_agent: z.string(),
  response_status: z.number(),
  response_time_ms: z.number(),
  request_id: z.string().optional(),
});
export type AccessRecord = z.output<typeof AccessRecord>;

export const AccessEvents = {
  recorded: defineEvent('access.recorded', AccessRecord, { consumer: 'storage' }),
} as const;

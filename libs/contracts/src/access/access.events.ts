import { z } from 'zod';
import { defineEvent } from '../common/rpc';

/**
 * One page or API request, as the gateway saw it (the design seed's access-log record). Sent
 * fire-and-forget in batches; storage replicas consume them on a queue group, so each record is
 * appended to exactly one pod's EBS volume.
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

/** Most records one batch carries (the gateway sends a batch at this size or after 100 ms). */
export const ACCESS_BATCH_MAX = 500;

export const AccessBatch = z.object({ records: z.array(AccessRecord).max(ACCESS_BATCH_MAX) });
export type AccessBatch = z.output<typeof AccessBatch>;

export const AccessEvents = {
  /**
   * The page and API views of the last ≤ 100 ms (≤ 500), one message: at thousands of views a
   * second the bus and the storage service handle a batch, not a message per view.
   */
  batch: defineEvent('access.batch', AccessBatch, { consumer: 'storage' }),
  /** One record per message: what gateways before batching sent; still consumed for one release. */
  recorded: defineEvent('access.recorded', AccessRecord, { consumer: 'storage' }),
} as const;

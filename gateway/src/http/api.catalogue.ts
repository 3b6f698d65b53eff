import {
  EnvironmentRpc,
  HistoryReportQuery,
  type FieldDoc,
  ScalingEventsQuery,
  ScalingHistoryQuery,
  ScalingNodesQuery,
  ScalingSnapshotQuery,
  StorageRpc,
  StressRules,
  StressReportQuery,
  StressStopRequest,
  describeFields,
  z,
} from '@eks-info/contracts';

/**
 * The JSON API as users see it: every `/api/v1` route with the schema its input is parsed with.
 * The README's API table is generated from this list and the schemas (`npm run config:docs`),
 * and a test checks the list against the routes the gateway really registers, both ways.
 */
export interface ApiRoute {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  what: string;
  input?: { in: 'query' | 'body' | 'path'; schema: z.ZodType };
}

const path = (name: string, what: string) => ({ in: 'path' as const, schema: z.object({ [name]: z.string().describe(what) }) });

export const API_ROUTES: ApiRoute[] = [
  { method: 'GET', path: '/api/v1/environment', what: 'pod, cluster, node, EC2, system/architecture, network summary, env vars (secrets redacted)' },
  {
    method: 'GET',
    path: '/api/v1/environment/interruption',
    what: "this node's spot interruption notice and rebalance recommendation (IMDS, at most a few seconds old)",
  },
  { method: 'GET', path: '/api/v1/resources', what: 'pods, services, deployments/statefulsets, node and pod usage, PV/PVC, recent warnings' },
  { method: 'GET', path: '/api/v1/network', what: 'VPC, subnets, security-group rules, route tables, load balancers (cached 5 min)' },
  {
    method: 'POST',
    path: '/api/v1/network/refresh',
    what: 'drop the cached AWS answers',
    input: { in: 'body', schema: EnvironmentRpc.refreshNetwork.request },
  },
  { method: 'GET', path: '/api/v1/storage', what: 'mounts, EBS/EFS configuration (PVC → PV), S3 configuration and identity' },
  {
    method: 'GET',
    path: '/api/v1/storage/ebs',
    what: "this pod's EBS volume: entries, access log tail, incarnations",
    input: { in: 'query', schema: StorageRpc.ebs.request },
  },
  { method: 'POST', path: '/api/v1/storage/ebs/entries', what: 'append an entry', input: { in: 'body', schema: StorageRpc.ebsWrite.request } },
  {
    method: 'POST',
    path: '/api/v1/storage/ebs/cleanup',
    what: 'clean old access logs on every pod',
    input: { in: 'body', schema: StorageRpc.ebsCleanup.request },
  },
  {
    method: 'GET',
    path: '/api/v1/storage/efs',
    what: 'files every storage pod wrote to the shared EFS volume',
    input: { in: 'query', schema: StorageRpc.efs.request },
  },
  { method: 'POST', path: '/api/v1/storage/efs/files', what: 'write a shared file', input: { in: 'body', schema: StorageRpc.efsWrite.request } },
  { method: 'GET', path: '/api/v1/storage/efs/files/:name', what: 'one shared file', input: { in: 'path', schema: StorageRpc.efsRead.request } },
  { method: 'DELETE', path: '/api/v1/storage/efs/files/:name', what: 'delete a shared file', input: { in: 'path', schema: StorageRpc.efsDelete.request } },
  {
    method: 'GET',
    path: '/api/v1/storage/s3',
    what: 'bucket settings, objects with paging, statistics reports',
    input: { in: 'query', schema: StorageRpc.s3.request },
  },
  {
    method: 'POST',
    path: '/api/v1/storage/s3/objects',
    what: 'upload text (JSON) or a file (multipart field `file`)',
    input: { in: 'body', schema: StorageRpc.s3Upload.request },
  },
  {
    method: 'GET',
    path: '/api/v1/storage/s3/objects/*',
    what: 'an object: text as text/plain, anything else (or `?download=1`) as an attachment',
    input: path('key', 'object key'),
  },
  { method: 'DELETE', path: '/api/v1/storage/s3/objects/*', what: 'delete an object', input: path('key', 'object key') },
  { method: 'POST', path: '/api/v1/storage/s3/reports', what: 'upload a statistics report of the current interval now' },
  { method: 'GET', path: '/api/v1/stress', what: 'stress pods (live heartbeats), tests, the stress HPA and the replicas it should want' },
  { method: 'POST', path: '/api/v1/stress/cpu', what: 'start a CPU test on one pod or all', input: { in: 'body', schema: StressRules.startBody('cpu') } },
  {
    method: 'POST',
    path: '/api/v1/stress/memory',
    what: 'start a memory test on one pod or all',
    input: { in: 'body', schema: StressRules.startBody('memory') },
  },
  { method: 'POST', path: '/api/v1/stress/load', what: 'sustained load spread over the replicas', input: { in: 'body', schema: StressRules.loadBody() } },
  { method: 'GET', path: '/api/v1/stress/tests/:id', what: "a test's or load's state", input: { in: 'path', schema: StressStopRequest } },
  { method: 'DELETE', path: '/api/v1/stress/tests/:id', what: 'stop a test or load', input: { in: 'path', schema: StressStopRequest } },
  {
    method: 'GET',
    path: '/api/v1/stress/report',
    what: "a test's report: parameters, HPA, samples, timeline, response times and nodes over its window (the HTML export is /stress/report)",
    input: { in: 'query', schema: StressReportQuery },
  },
  {
    method: 'GET',
    path: '/api/v1/scaling',
    what: 'node overview per node group, zone and capacity type with a heat strip, the first node cards, nodes by name, Pending pods and why, HPAs with their maths, autoscaler status, node cost ($/h by instance type, capacity type and zone)',
    input: { in: 'query', schema: ScalingSnapshotQuery },
  },
  {
    method: 'GET',
    path: '/api/v1/scaling/nodes',
    what: "one page of node cards, filtered and sorted (the node list of /scaling), with the namespace's pods' usage against their requests and limits",
    input: { in: 'query', schema: ScalingNodesQuery },
  },
  {
    method: 'GET',
    path: '/api/v1/scaling/history',
    what: 'samples, events and response times (average, p90); each scale-up chain with the $/h of the nodes it added and what they cost',
    input: { in: 'query', schema: ScalingHistoryQuery },
  },
  {
    method: 'GET',
    path: '/api/v1/scaling/history/report',
    what: 'the history as a report to keep (the HTML export is /scaling/history/report)',
    input: { in: 'query', schema: HistoryReportQuery },
  },
  {
    method: 'GET',
    path: '/api/v1/scaling/events',
    what: "events and response-time chains in a range, oldest first; the cluster's $/h and the nodes added in the range with their cost",
    input: { in: 'query', schema: ScalingEventsQuery },
  },
  { method: 'GET', path: '/api/v1/stream/stress', what: 'Server-Sent Events: the live stress view (per-client and per-gateway slots)' },
  {
    method: 'GET',
    path: '/api/v1/stream/scaling',
    what: 'Server-Sent Events: snapshot changes, scaling events, history samples',
    input: {
      in: 'query',
      schema: z.object({
        topics: z.string().optional().describe('snapshot (default), events, samples; comma-separated'),
        nodes: z.literal('0').optional().describe('0: snapshots without the node list by name'),
      }),
    },
  },
];

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function inputCell(input: ApiRoute['input']): string {
  if (!input) return '—';
  const fields: FieldDoc[] = describeFields(input.schema);
  if (!fields.length) return '—';
  return fields
    .map((f) => `\`${f.name}\`${f.required ? '' : '?'} ${cell(f.type)} (${input.in}${f.description ? `: ${cell(f.description)}` : ''})`)
    .join('<br>');
}

/** The README's JSON API table. */
export function renderApiTable(): string {
  const rows = API_ROUTES.map((r) => `| \`${r.method} ${r.path}\` | ${inputCell(r.input)} | ${cell(r.what)} |`);
  return ['| Method and path | Input (`?` = optional) | What |', '| --- | --- | --- |', ...rows].join('\n');
}

import {
  AccessEvents,
  EnvironmentRpc,
  type EventContract,
  type RpcContract,
  ScalingEvents,
  ScalingRpc,
  StorageRpc,
  StressEvents,
  StressRpc,
} from '@eks-info/contracts';

/** The processes that connect to NATS, each as its own NATS user (named like this). */
export const NATS_COMPONENTS = ['gateway', 'environment', 'storage', 'stress', 'scaling-monitor'] as const;
export type NatsComponent = (typeof NATS_COMPONENTS)[number];

/**
 * Where a component's request replies arrive: its own inbox prefix, so that only it may
 * subscribe there (another user cannot read its replies).
 */
export function natsInboxPrefix(component: string): string {
  return `_INBOX.${component.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** What one NATS user may do: publish and subscribe on these subjects, and reply to requests it received. */
export interface NatsPermissions {
  publish: string[];
  subscribe: string[];
  /** Replies to the requests it received (NATS `allow_responses`: once per request, to its reply subject only). */
  allowResponses: boolean;
}

type AnyRpc = RpcContract<unknown, unknown> | RpcContract<never, unknown>;
type AnyEvent = EventContract<unknown> | EventContract<never>;

const ALL_RPC: AnyRpc[] = [EnvironmentRpc, StorageRpc, StressRpc, ScalingRpc].flatMap((group) => Object.values(group) as AnyRpc[]);
const ALL_EVENTS: AnyEvent[] = [AccessEvents, StressEvents, ScalingEvents].flatMap((group) => Object.values(group) as AnyEvent[]);

/**
 * What each component sends and which broadcast events it listens to, by contract. What it
 * answers (a request contract's `service`) and the queue events it consumes (an event's
 * `consumer`) come from the contracts themselves. Nothing here retypes a subject.
 */
const USES: Record<NatsComponent, { requests: AnyRpc[]; emits: AnyEvent[]; listens: AnyEvent[] }> = {
  // The gateway renders what the services return: it asks every service, reports each access,
  // and pushes heartbeats and scaling changes to browsers.
  gateway: {
    requests: ALL_RPC.filter((c) => c !== StorageRpc.reportPartial),
    emits: [AccessEvents.batch],
    listens: [StressEvents.heartbeat, ...Object.values(ScalingEvents)],
  },
  environment: { requests: [], emits: [], listens: [] },
  // The pod that writes a report gathers every storage pod's share.
  storage: { requests: [StorageRpc.reportPartial], emits: [], listens: [] },
  // Heartbeats for the gateways; sustained-load work units for the stress queue group.
  stress: { requests: [], emits: [StressEvents.heartbeat, StressEvents.workUnit], listens: [] },
  'scaling-monitor': { requests: [], emits: Object.values(ScalingEvents), listens: [] },
};

const sorted = (subjects: string[]) => [...new Set(subjects)].sort();

/** The NATS permissions of every component: least privilege, from the contracts. */
export function natsPermissions(): Record<NatsComponent, NatsPermissions> {
  const out = {} as Record<NatsComponent, NatsPermissions>;
  for (const component of NATS_COMPONENTS) {
    const uses = USES[component];
    const answers = ALL_RPC.filter((c) => c.service === component);
    const consumes = ALL_EVENTS.filter((e) => e.consumer === component);
    const requestsSomething = uses.requests.length > 0;
    out[component] = {
      publish: sorted([...uses.requests, ...uses.emits].map((c) => c.subject)),
      subscribe: sorted([...answers, ...consumes, ...uses.listens].map((c) => c.subject).concat(requestsSomething ? [`${natsInboxPrefix(component)}.>`] : [])),
      allowResponses: answers.length > 0,
    };
  }
  return out;
}

const quote = (s: string) => JSON.stringify(s);
/** An allow list; nothing allowed is written as deny-all (an empty allow list would allow everything). */
const rule = (subjects: string[]) => (subjects.length ? `{ allow: [${subjects.map(quote).join(', ')}] }` : '{ deny: [">"] }');

/**
 * The `authorization { users = [...] }` block of a nats-server configuration: one user per
 * component, its password from the environment variable `NATS_PASSWORD_<COMPONENT>` of the
 * server (nats-server resolves `$NAME` from its environment).
 */
export function natsAuthorizationConf(indent = ''): string {
  const lines = [`${indent}authorization {`, `${indent}  users = [`];
  for (const [component, p] of Object.entries(natsPermissions())) {
    lines.push(
      `${indent}    {`,
      `${indent}      user: ${quote(component)}`,
      `${indent}      password: $${natsPasswordVariable(component)}`,
      `${indent}      permissions: {`,
      `${indent}        publish: ${rule(p.publish)}`,
      `${indent}        subscribe: ${rule(p.subscribe)}`,
      ...(p.allowResponses ? [`${indent}        allow_responses: true`] : []),
      `${indent}      }`,
      `${indent}    }`,
    );
  }
  lines.push(`${indent}  ]`, `${indent}}`);
  return lines.join('\n');
}

/** The server-side variable holding a component's password: NATS_PASSWORD_SCALING_MONITOR. */
export function natsPasswordVariable(component: string): string {
  return `NATS_PASSWORD_${component.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** The generated file with the users and permissions, relative to the repository root: the chart and compose load it. */
export const NATS_AUTHORIZATION_FILE = 'helm/eks-info/files/nats-authorization.conf';

/** The content of {@link NATS_AUTHORIZATION_FILE}. */
export function natsAuthorizationFile(): string {
  return [
    '# Generated from libs/contracts by libs/platform/src/transport/nats-permissions.cli.ts: do not edit.',
    '# One NATS user per component; each may publish and subscribe only on the subjects it uses.',
    '# The server reads each password from its environment (NATS_PASSWORD_<COMPONENT>).',
    natsAuthorizationConf(),
    '',
  ].join('\n');
}

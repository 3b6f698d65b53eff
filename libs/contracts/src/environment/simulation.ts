import { z } from 'zod';
import { AwsErrors, ImdsErrors, KubeErrors } from '../common/dependency.errors';
import type { ErrorBody } from '../common/errors';
import type { Section } from '../common/section';

/**
 * `npm run demo` simulates what a laptop lacks: a cluster (the fake Kubernetes API server), the
 * EC2 instance metadata (the metadata mock, over real IMDSv2 HTTP) and the AWS APIs (moto). It
 * says which in SIMULATED_SOURCES; every section fed by one of them carries a "simulated" label
 * naming it, so nobody mistakes the demo for a real cluster. Outside the demo (the variable
 * unset) there is no label, and the sections that are "not here" say how to see them anyway.
 */
export const SIMULATED_SOURCES = ['kubernetes', 'imds', 'aws'] as const;
export type SimulatedSource = (typeof SIMULATED_SOURCES)[number];

/** The label of each simulated source, as the sections show it. */
export const SIMULATED_LABELS: Readonly<Record<SimulatedSource, string>> = {
  kubernetes: 'a simulated cluster: the fake Kubernetes API server of npm run demo',
  imds: 'a simulated instance: the EC2 metadata mock of npm run demo, over IMDSv2',
  aws: 'a simulated AWS account: moto, the local AWS API of npm run demo',
};

/** What the demo needs for each source, for the section that had to go without it. */
const TOOLS: Readonly<Record<Exclude<SimulatedSource, 'kubernetes'>, string>> = {
  imds: "the EC2 metadata mock and moto, which holds the instance's VPC (scripts/tools/install.sh aemm moto)",
  aws: 'moto (scripts/tools/install.sh moto, a PyPI install)',
};

/** The labels of a view: one per simulated source it draws on. Absent outside the demo. */
export const Simulated = z.object({
  kubernetes: z.string().optional(),
  imds: z.string().optional(),
  aws: z.string().optional(),
});
export type Simulated = z.output<typeof Simulated>;

/** The sources named in SIMULATED_SOURCES (comma-separated); undefined when it is unset (not the demo). */
export function simulatedSources(value: string | undefined): Set<SimulatedSource> | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return new Set(
    value
      .split(',')
      .map((s) => s.trim())
      .filter((s): s is SimulatedSource => (SIMULATED_SOURCES as readonly string[]).includes(s)),
  );
}

/** The labels for the sources a view draws on that are simulated; undefined when none is. */
export function simulatedLabels(sources: Set<SimulatedSource> | undefined, ...used: SimulatedSource[]): Simulated | undefined {
  const present = used.filter((s) => sources?.has(s));
  return present.length ? Object.fromEntries(present.map((s) => [s, SIMULATED_LABELS[s]])) : undefined;
}

const DEMO_HINT: Readonly<Record<SimulatedSource, string>> = {
  kubernetes: 'To see one without a cluster, `npm run demo` simulates an EKS cluster on this machine.',
  imds: 'To see one without EC2, `npm run demo` serves a simulated instance from the EC2 metadata mock.',
  aws: 'To see one without AWS, `npm run demo` seeds a simulated EKS VPC into moto.',
};

/** The codes that mean "this source does not exist here" (no cluster, no EC2, no AWS configured). */
const ABSENT: ReadonlySet<string> = new Set([KubeErrors.NOT_IN_CLUSTER.code, ImdsErrors.DISABLED.code, AwsErrors.NOT_CONFIGURED.code]);

/**
 * A section that is "not here" because its source does not exist on this machine, with what to
 * do about it: outside the demo, that `npm run demo` simulates the source; in the demo (which
 * simulates the others), which tool it could not run for this one. Other sections pass as they are.
 */
export function withDemoHint<T>(section: Section<T>, source: SimulatedSource, sources: Set<SimulatedSource> | undefined): Section<T> {
  if (section.status !== 'unavailable' || !ABSENT.has(section.code) || sources?.has(source)) return section;
  const { status: _status, ...body }: { status: string } & ErrorBody = section;
  const hint =
    sources === undefined || source === 'kubernetes'
      ? DEMO_HINT[source]
      : `The demo could not simulate this here: it needs ${TOOLS[source]}; its start-up output says what is missing. The rest of the demo runs without it.`;
  return { status: 'unavailable', ...body, fix: body.fix ? `${body.fix.replace(/\.?$/, '.')} ${hint}` : hint };
}

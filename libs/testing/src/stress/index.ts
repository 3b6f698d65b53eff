// Harness for the stress slice: OS-side CPU/RSS readings, real cgroups, stress processes.
export * from './proc-usage';
export * from './cgroup-sandbox';
export * from './stress-fleet';
export * from './stress-workers';

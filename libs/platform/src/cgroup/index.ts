export * from './cgroup.reader';

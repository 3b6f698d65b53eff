// Contracts of the stress domain: subjects, DTOs, error codes and the shared rules (ranges, HPA sum).
export * from './stress.subjects';
export * from './stress.errors';
export * from './stress.rules';
export * from './dto/test.dto';
export * from './dto/load.dto';
export * from './dto/heartbeat.dto';
export * from './dto/overview.dto';
export * from './dto/api.dto';
export * from './stress.ranges';

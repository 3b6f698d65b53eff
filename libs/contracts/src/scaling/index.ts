// Contracts of the scaling domain: subjects, DTOs, error codes, query validation.
export * from './scaling.subjects';
export * from './scaling.errors';
export * from './scaling.queries';
export * from './dto/snapshot.dto';
export * from './dto/events.dto';
export * from './dto/history.dto';
export * from './dto/cost.dto';
export * from './dto/drain.dto';

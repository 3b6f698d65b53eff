// Contracts of the storage domain: subjects, DTOs, error codes.
export * from './storage.subjects';
export * from './storage.errors';
export * from './dto/volume.dto';
export * from './dto/overview.dto';
export * from './dto/ebs.dto';
export * from './dto/efs.dto';
export * from './dto/s3.dto';
export * from './storage.names';

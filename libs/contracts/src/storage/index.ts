// Contracts of the storage domain: subjects, DTOs, error codes.
export {};

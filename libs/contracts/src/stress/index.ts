// Contracts of the stress domain: subjects, DTOs, error codes.
export {};

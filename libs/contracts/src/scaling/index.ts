// Contracts of the scaling domain: subjects, DTOs, error codes.
export {};

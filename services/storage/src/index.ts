// What the single-process entry (local/) composes; no other project imports a service.
export { startStorageService, type StorageConfig } from './storage.app';
export { storageConfig, storageLocalDefaults } from './storage.config';

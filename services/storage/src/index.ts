// What the single-process entry (local/) composes; no other project imports a service.
export { startStorageService } from './storage.app';
export { type StorageConfig, storageConfig, storageLocalDefaults } from './storage.config';

/** Variables of the storage service (on top of the common ones). */
export const storageConfig = {};

/** Defaults that differ in `npm start` (one process, data under ./.data) from a deployment. */
export const storageLocalDefaults: Record<string, string> = {};

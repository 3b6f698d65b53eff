/** Variables of the storage service (on top of the common ones). */
export const storageConfig = {};

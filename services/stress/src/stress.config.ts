/** Variables of the stress service (on top of the common ones). */
export const stressConfig = {};

/** Defaults that differ in `npm start` (one process, data under ./.data) from a deployment. */
export const stressLocalDefaults: Record<string, string> = {};

/** Variables of the scaling-monitor service (on top of the common ones). */
export const scalingMonitorConfig = {};

/** Defaults that differ in `npm start` (one process, data under ./.data) from a deployment. */
export const scalingMonitorLocalDefaults: Record<string, string> = {};

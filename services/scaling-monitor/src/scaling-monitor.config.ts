/** Variables of the scaling-monitor service (on top of the common ones). */
export const scalingMonitorConfig = {};

/** Variables of the stress service (on top of the common ones). */
export const stressConfig = {};

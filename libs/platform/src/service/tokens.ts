/** Injection tokens of the platform's global providers. */
export const LOGGER = Symbol('LOGGER');
export const IDENTITY = Symbol('IDENTITY');
export const CONFIG = Symbol('CONFIG');

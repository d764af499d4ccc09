/** Injection token of the root pino logger (provided by the app factory). */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/** The key under which serverSuite() passes its options to the globalSetup, through vitest's `provide`. */
export const PLAN_OPTIONS_KEY = 'mtlsConformanceServerOptions';

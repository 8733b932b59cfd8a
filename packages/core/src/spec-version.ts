/**
 * Major version of the plugin contract (the Cell, Objective and Registry interfaces).
 * A plugin declares the version it was built for; the registry refuses other majors.
 */
export const LOCALBP_SPEC_VERSION = 1;

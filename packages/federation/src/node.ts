// Node-only entry: the server needs node:http(s), node:crypto and the SQLite database.
export { startFederationServer } from './server/federation-server';
export type { FederationServerOptions, RunningFederationServer } from './server/federation-server';
export { ServerStateDb, ServerStateError } from './server/server-state-db';
export type { ServerCheckpoint } from './server/server-state-db';
export { RoundCoordinator } from './server/round-coordinator';
export type { CoordinatorDeps, CoordinatorState, PollResult } from './server/round-coordinator';
export { federationConfigSchema } from './server/server-config';
export type { FederationConfig, FederationConfigInput } from './server/server-config';
export type { ClientRoundReport, RoundReport } from './server/round-report';
export { validateUpdate } from './server/update-validation';
export type { ValidationContext } from './server/update-validation';
export { RateLimiter } from './server/rate-limiter';
export { generateToken, hashToken } from './server/credentials';
export { corsOriginSchema, corsOriginsSchema } from './server/cors';

/** The package API: the same pieces the CLI uses, for users' own scripts and tests. */
export { runServer, prepareServerPlan, type RunOptions, type RunOutcome, type PreparedServerRun } from './run/run-server.js';
export { judge, interpret, summarize } from './judge.js';
export { resolveCases, idMatcher } from './cases/resolve.js';
export { catalogue } from './cases/catalogue.js';
export { loadProfile } from './profile/load.js';
export { startReferenceServer } from './peers/reference-server.js';
export { startServerMatrix, judgeConnection, type ServerMatrix, type ServerMatrixOptions, type MatrixServer, type MatrixConnection } from './peers/server-matrix.js';
export { probeHandshake } from './probes/handshake-probe.js';
export { ensureCerts } from '../certs/store.js';
export type * from './model.js';
export { writeReportDir, verifyReportDir } from './report/report-dir.js';
export { signManifest } from './report/manifest.js';
export { runClient, type ClientRunOptions } from './run/run-client.js';

export {
  startDashboardServer,
  DASHBOARD_PACKAGE_NAME,
  DASHBOARD_VERSION,
  DEFAULT_DASHBOARD_HOST,
  DEFAULT_DASHBOARD_PORT,
} from './dashboard-server';
export type { DashboardHealth, DashboardServer, DashboardServerOptions } from './dashboard-server';
export type { ChangesMessage, MetricColumns, RunDetail, RunsMessage, RunSummary } from './api-types';
export { formatCursor, parseCursor } from './server/event-stream';

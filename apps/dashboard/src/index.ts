export {
  startDashboardServer,
  DASHBOARD_PACKAGE_NAME,
  DASHBOARD_VERSION,
  DEFAULT_DASHBOARD_HOST,
  DEFAULT_DASHBOARD_PORT,
} from './dashboard-server.js';
export type { DashboardHealth, DashboardServer, DashboardServerOptions } from './dashboard-server.js';

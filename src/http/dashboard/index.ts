// The public surface of the dashboard routes: what src/cli/assemble.ts mounts.

export type {
  DashboardDeps,
  DashboardGateway,
  DashboardLocalChannel,
  DashboardPairing,
  DashboardSandbox,
  DashboardSandboxes,
  DashboardStore,
} from './deps.js';
export { createDashboardRoutes, DASHBOARD_PATH, LOGIN_WINDOW_MS, MAX_LOGIN_FAILURES } from './routes.js';
export { CONTENT_SECURITY_POLICY } from './security-headers.js';
export { CSRF_HEADER, SESSION_COOKIE } from './session.js';

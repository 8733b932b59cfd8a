// Screenshot of one dashboard view over an existing run store, e.g. after the main job:
//   node apps/dashboard/scripts/screenshot-store.mjs runs/localbp.sqlite cells docs/screenshots/main-job-cells.png
// (view: runs | scalars | cells | federation | compare; the newest run is shown; losses on a log scale).
import { chromium } from 'playwright-core';
import { startDashboardServer } from '../dist/index.js';

const [store = 'runs/localbp.sqlite', view = 'cells', out = 'dashboard.png'] = process.argv.slice(2);
const server = await startDashboardServer({ store, port: 0 });
const browser = await chromium.launch({ executablePath: process.env.LOCALBP_CHROMIUM || '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(`${server.url}#/${view}`);
  await page.waitForSelector(view === 'runs' ? '#runs-table tbody tr' : '.chart', { timeout: 60_000 });
  if (view !== 'runs') await page.check('#log-y');
  // Images and the last chart redraw.
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(500);
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await server.close();
}

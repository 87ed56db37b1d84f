/** Where the admin UI serves the chart assets (uPlot and its drawing script, src/http/web/usage-chart.ts). */
import { chartAssets } from '../../web/usage-chart.js';

export const ADMIN_CHARTS = chartAssets('/admin/assets');

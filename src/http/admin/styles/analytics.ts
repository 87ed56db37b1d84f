/** The Analytics page and the usage sections of the user and product pages (the charts' own rules are in src/http/web/usage-chart.ts). */
export const ANALYTICS_CSS = `
/* Analytics */
.range-picker ul.presets { list-style: none; display: flex; flex-wrap: wrap; gap: 0.5rem; margin: 0 0 1rem; padding: 0; }
.range-picker .custom-range { margin: 0; }
.range-shown { margin: 0 0 1rem; }
.analytics-totals .stat.success .value { color: #15803d; }
.analytics-totals .stat.blocked .value { color: #b45309; }
.analytics-totals .stat.failed .value { color: #b42318; }
.grid-2.top-lists { grid-template-columns: repeat(auto-fit, minmax(400px, 1fr)); margin-bottom: 1.25rem; }
.top-list td.share { width: 30%; }
.top-list meter { width: 100%; height: 0.75rem; }
.usage-panel .actions { margin: 0.5rem 0 0; }
`;

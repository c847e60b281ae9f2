/** The report page's styles (inline: the page loads nothing). */
export const PAGE_STYLE = `
:root { font: 14px/1.4 system-ui, sans-serif; color: #222; background: #fff; }
body { margin: 16px 24px; max-width: 1400px; }
h1 { font-size: 20px; margin: 0 0 8px; }
h2 { font-size: 16px; margin: 18px 0 6px; }
#controls { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; margin: 8px 0; }
#controls label { display: inline-flex; gap: 6px; align-items: center; }
#summary-text { background: #f6f6f6; padding: 8px 10px; margin: 8px 0; white-space: pre-wrap; font-size: 12.5px; }
#chart-wrap { position: relative; }
#chart { width: 100%; height: 380px; display: block; cursor: crosshair; outline-offset: 2px; }
#chart:focus-visible, #overview-svg:focus-visible { outline: 2px solid #4e79a7; }
#overview-wrap { position: relative; height: 60px; }
#overview, #overview-svg { position: absolute; left: 0; top: 0; width: 100%; height: 60px; }
#tooltip { position: absolute; pointer-events: none; background: rgba(255,255,255,0.96); border: 1px solid #999;
  padding: 6px 8px; font-size: 12px; white-space: pre; max-width: 520px; overflow: hidden; box-shadow: 0 2px 6px rgba(0,0,0,0.15); }
#legend { display: flex; gap: 14px; flex-wrap: wrap; font-size: 12px; margin: 6px 0; }
#legend span::before { content: ""; display: inline-block; width: 10px; height: 10px; margin-right: 4px; background: var(--c); }
table { border-collapse: collapse; font-size: 12.5px; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 2px 8px; text-align: left; }
th button { font: inherit; font-weight: 600; background: none; border: none; padding: 0; cursor: pointer; }
caption { text-align: left; padding: 4px 0; }
#live { max-height: 360px; overflow: auto; }
.keys { font-size: 12px; color: #555; }
.error { color: #b00; }
#controls.computing #whatif-status { color: #8a5a00; }
#controls.computing #whatif-status::before { content: ""; display: inline-block; width: 9px; height: 9px; margin-right: 6px;
  border: 2px solid #c90; border-right-color: transparent; border-radius: 50%; animation: hbmscope-spin 0.8s linear infinite; }
@keyframes hbmscope-spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { #controls.computing #whatif-status::before { animation: none; } }
`;

/**
 * The web page of the peer-state service: routers and peers with state, uptime, flap count and
 * prefix counts, kept live by server-sent events (/events) that say when to re-read /routers and
 * /peers. Plain HTML and script, no build step; content is escaped before it reaches the page.
 */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>BMP peer state</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
  h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #ddd; vertical-align: top; }
  th { background: #f4f4f4; }
  .up { color: #070; font-weight: 600; } .down { color: #b00; font-weight: 600; } .unknown { color: #777; }
  .stale { background: #fff4d6; }
  #status { color: #777; font-size: 0.9em; }
  input, select { font: inherit; }
</style>
</head>
<body>
<h1>BMP peer state</h1>
<p id="status">loading…</p>
<h2>Routers</h2>
<table id="routers">
  <thead><tr><th>router</th><th>sysName</th><th>session</th><th>uptime</th><th>sessions</th><th>peers up / all</th><th>last message</th></tr></thead>
  <tbody></tbody>
</table>
<h2>Peers</h2>
<p>
  <label>state <select id="f-state"><option value="">any</option><option>up</option><option>down</option><option>unknown</option><option>stale</option></select></label>
  <label>AS <input id="f-as" size="10"></label>
  <label>router <input id="f-router" size="16"></label>
</p>
<table id="peers">
  <thead><tr><th>router</th><th>peer</th><th>AS</th><th>state</th><th>uptime</th><th>flaps</th><th>last down</th><th>prefixes</th><th>initial dump</th></tr></thead>
  <tbody></tbody>
</table>
<script>
'use strict';
const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const duration = (micros) => {
  if (micros === null || micros === undefined) return '';
  let s = Math.max(0, Math.floor((Date.now() * 1000 - micros) / 1e6));
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  return (d ? d + 'd ' : '') + (d || h ? h + 'h ' : '') + (d || h || m ? m + 'm ' : '') + s + 's';
};
const time = (micros) => (micros === null || micros === undefined ? '' : new Date(micros / 1000).toISOString().replace('T', ' ').replace(/\\.\\d+Z$/, 'Z'));
// Route counts of a view (RFC 7854 §4.8 and IANA stat types): the whole-view gauge, then per AFI/SAFI.
const TOTAL = new Set([7, 8, 14, 15, 18, 20]);
const PER_FAMILY = new Set([9, 10, 16, 17, 19, 21]);
const prefixes = (views) => views.map((v) => {
  const total = v.stats.find((s) => TOTAL.has(s.type));
  const fams = v.stats.filter((s) => PER_FAMILY.has(s.type)).map((s) => s.afi + '/' + s.safi + ': ' + s.value);
  if (!total && fams.length === 0) return '';
  return '<div data-view="' + esc(v.view) + '">' + esc(v.view) + ': <b class="prefix-count">' + esc(total ? total.value : '') + '</b>' + (fams.length ? ' (' + esc(fams.join(', ')) + ')' : '') + '</div>';
}).join('');
let routers = [], peers = [];
function render() {
  document.querySelector('#routers tbody').innerHTML = routers.map((r) =>
    '<tr data-router="' + esc(r.router_address) + '"><td>' + esc(r.router_address) + '</td><td>' + esc(r.sys_name) + '</td>' +
    '<td class="' + (r.connected ? 'up' : 'down') + '">' + (r.connected ? 'connected' : 'disconnected') + '</td>' +
    '<td class="uptime">' + (r.connected ? duration(r.since) : '') + '</td><td>' + esc(r.session_count) + '</td>' +
    '<td>' + esc(r.peers_up) + ' / ' + esc(r.peers) + '</td><td>' + esc(time(r.last_message_at)) + '</td></tr>').join('');
  const f = { state: document.getElementById('f-state').value, as: document.getElementById('f-as').value.trim(), router: document.getElementById('f-router').value.trim() };
  document.querySelector('#peers tbody').innerHTML = peers.filter((p) =>
    (!f.state || (f.state === 'stale' ? p.stale : p.status === f.state)) && (!f.as || String(p.peer_as) === f.as.replace(/^AS/i, '')) && (!f.router || p.router_address === f.router)
  ).map((p) =>
    '<tr data-key="' + esc(p.key) + '" class="' + (p.stale ? 'stale' : '') + '"><td>' + esc(p.router_address) + '</td>' +
    '<td>' + esc(p.peer_address) + (p.peer_distinguisher !== '0:0' ? ' (' + esc(p.peer_distinguisher) + ')' : '') + '</td><td>' + esc(p.peer_as) + '</td>' +
    '<td class="state ' + esc(p.status) + '">' + esc(p.status) + (p.stale ? ' (stale since ' + esc(time(p.stale_since)) + ')' : '') + '</td>' +
    '<td class="uptime">' + (p.status === 'up' && !p.stale ? duration(p.since) : '') + '</td><td class="flaps">' + esc(p.flap_count) + '</td>' +
    '<td>' + esc(p.last_down ? p.last_down.reason + (p.last_down.notification ? ' ' + p.last_down.notification : '') : '') + '</td>' +
    '<td class="prefixes">' + prefixes(p.views) + '</td>' +
    '<td>' + p.views.map((v) => esc(v.view + ': ' + v.initial_dump)).join('<br>') + '</td></tr>').join('');
}
async function refresh() {
  try {
    const [r, p] = await Promise.all([fetch('routers').then((x) => x.json()), fetch('peers').then((x) => x.json())]);
    routers = r; peers = p;
    document.getElementById('status').textContent = routers.length + ' routers, ' + peers.length + ' peers; updated ' + new Date().toISOString();
    render();
  } catch (err) {
    document.getElementById('status').textContent = 'cannot reach the service: ' + err;
  }
}
for (const id of ['f-state', 'f-as', 'f-router']) document.getElementById(id).addEventListener('input', render);
// Live: the server says when the state changed; polling covers a lost event stream.
const events = new EventSource('events');
events.addEventListener('change', () => void refresh());
setInterval(refresh, 15000);
setInterval(render, 1000);
void refresh();
</script>
</body>
</html>
`;

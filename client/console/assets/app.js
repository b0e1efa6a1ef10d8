// 快报 web console: plain JavaScript, no framework, no network beyond the
// console itself (which talks to the node over mutual TLS).
'use strict';

// ---- language -------------------------------------------------------------
const T = {
  brand: ['快报 · 突发事件信息报送', 'Kuaibao · incident reporting'],
  nav_board: ['值班台', 'Live board'], nav_report: ['报送', 'File a report'],
  nav_due: ['待办', 'Due'], nav_instructions: ['批示', 'Instructions'],
  nav_children: ['下级', 'Children'], nav_bulletin: ['通报', 'Bulletin'],
  ack: ['确认收悉', 'Acknowledge'],
  node_up: ['节点在线', 'node up'], node_down: ['节点无法连接，正在自动重连', 'node unreachable; reconnecting'],
  node_expired: ['本机证书已过期，请更换证书', 'this console\'s certificate has expired'],
  node_not_yet_valid: ['本机证书尚未生效（检查时钟）', 'this console\'s certificate is not yet valid (check the clock)'],
  node_handshake: ['节点拒绝了本机证书（已吊销或不属于本省）', 'the node refused this certificate (revoked, or not of this province)'],
  node_refused: ['无权访问该节点', 'not permitted at this node'],
  node_not_accepting: ['节点暂停接收新报告', 'node is not taking new reports'],
  node_connecting: ['正在连接节点…', 'connecting…'],
  time: ['时间', 'Time'], grade: ['等级', 'Grade'], category: ['类别', 'Category'],
  region: ['地区', 'Region'], kind: ['报告类型', 'Kind'], headline: ['标题', 'Headline'],
  all: ['全部', 'all'], from: ['来自', 'From'], event: ['事件', 'Event'],
  alert_text: ['重大/敏感信息：', 'Urgent report: '],
  form_title: ['报送快报', 'File a brief report'], followup_title: ['续报', 'Follow-up report'],
  f_occurred: ['发生时间', 'Occurred at'], f_informed: ['获悉时间', 'Unit learned of it at'], f_region: ['发生地点', 'Place'], f_address: ['详细地址', 'Address'],
  f_unit: ['报送单位', 'Reporting unit'], f_preparer: ['填报人', 'Prepared by'], f_phone: ['联系电话', 'Phone'],
  f_headline: ['标题（40字以内）', 'Headline (≤ 40 characters)'], f_course: ['事件经过', 'What happened'],
  f_cause: ['原因', 'Cause'], f_deaths: ['死亡', 'Deaths'], f_injured: ['受伤', 'Injured'], f_missing: ['失踪', 'Missing'],
  f_loss: ['直接经济损失（元）', 'Direct economic loss (yuan)'], f_trend: ['发展趋势', 'Trend'],
  f_measures: ['已采取的措施', 'Measures taken'], f_help: ['需要帮助解决的问题', 'Help needed'],
  f_departments: ['同时报送部门', 'Also to the departments'],
  f_source: ['信息来源', 'Source of the information'], f_category: ['事件类别', 'Category'], f_grade: ['事件等级', 'Grade'],
  f_sensitive: ['敏感信息', 'Sensitive'], f_kind: ['报告类型', 'Report kind'], submit: ['报送', 'Submit'],
  sent_ok: ['已报送，节点已签收存储。', 'Sent; stored and acknowledged by the node.'],
  sending: ['正在报送…', 'Sending…'], refused: ['节点拒收：', 'Refused by the node: '],
  required: ['必填', 'required'], pick: ['请选择', 'choose'],
  timeline: ['逐级时间线', 'Timeline hop by hop'], node: ['节点', 'Node'], received: ['收到', 'Received'],
  sent: ['报出', 'Sent'], acked: ['上级签收', 'Acknowledged'], dwell: ['停留', 'Dwell'], budget: ['时限', 'Budget'],
  path: ['路径', 'Path'], deadlines: ['时限', 'Deadlines'], instructions: ['批示', 'Instructions'],
  reports_of_event: ['本事件报告', 'Reports of this event'], file_followup: ['续报', 'File a follow-up'],
  due_title: ['待办时限', 'Due'], rule: ['规则', 'Rule'], responsible: ['责任单位', 'Responsible'],
  due_at: ['时限', 'Due'], state: ['状态', 'State'], left: ['剩余', 'Left'],
  issue_title: ['下达批示', 'Issue an instruction'], text: ['内容', 'Text'], by: ['批示人', 'Issued by'],
  issue: ['下达', 'Issue'], sign: ['签收', 'Sign for'], feedback: ['反馈', 'Feedback'], send: ['发送', 'Send'],
  children_title: ['下级节点', 'Nodes below'], standby_acting: ['备用节点在岗', 'standby acting'], condition: ['状态', 'State'], last_heard: ['最近联系', 'Last heard'],
  backlog: ['积压', 'Backlog'], oldest: ['最早待报', 'Oldest waiting'], skew: ['时钟偏差', 'Clock skew'],
  bulletin_title: ['突发事件信息报送情况通报', 'Incident reporting bulletin'], period: ['期间', 'Period'],
  month: ['月', 'month'], quarter: ['季度', 'quarter'], year: ['年', 'year'], show: ['查询', 'Show'],
  print: ['打印', 'Print'], csv: ['下载 CSV', 'Download CSV'], late_by: ['迟报', 'Late by'],
  breaches: ['迟报、漏报情况', 'Late and missed reports'], stats: ['分地区统计', 'By region'],
  events: ['起数', 'Events'], none: ['无', 'none'], drill: ['演练', 'drill'],
};
let lang = localStorage.getItem('lang') || 'zh';
const t = (k) => (T[k] ? T[k][lang === 'zh' ? 0 : 1] : k);

const CATEGORY = {
  CATEGORY_NATURAL_DISASTER: ['自然灾害', 'Natural disaster', '水旱、气象、地震、地质、森林火灾等'],
  CATEGORY_MAJOR_ACCIDENT: ['重大事故', 'Major accident', '生产安全、交通、火灾、环境污染等事故'],
  CATEGORY_PUBLIC_HEALTH: ['公共卫生事件', 'Public health', '传染病疫情、食物中毒、职业中毒等'],
  CATEGORY_SOCIAL_SECURITY: ['社会安全事件', 'Social security', '群体性事件、恐怖袭击、重大刑事案件等'],
  CATEGORY_ECONOMIC_SECURITY: ['经济安全事件', 'Economic security', '金融、市场供应异常波动等'],
  CATEGORY_EARLY_WARNING: ['预警信息', 'Early warning', '可能造成重大社会影响的预警信息'],
};
const GRADE = {
  GRADE_I: ['Ⅰ级（特别重大）', 'I (extraordinary)', '死亡30人以上，或特别重大影响'],
  GRADE_II: ['Ⅱ级（重大）', 'II (major)', '死亡10–29人，或重大影响'],
  GRADE_III: ['Ⅲ级（较大）', 'III (large)', '死亡3–9人，或较大影响'],
  GRADE_IV: ['Ⅳ级（一般）', 'IV (ordinary)', '死亡3人以下，或一般影响'],
  GRADE_UNGRADED: ['不分级', 'ungraded', '社会安全事件等不分级'],
  GRADE_UNKNOWN: ['待定', 'not yet assessed', '尚未研判'],
};
const KIND = {
  REPORT_KIND_BRIEF: ['快报', 'brief'], REPORT_KIND_INITIAL: ['首报', 'initial'],
  REPORT_KIND_FOLLOW_UP: ['续报', 'follow-up'], REPORT_KIND_FINAL: ['终报', 'final'],
  REPORT_KIND_CORRECTION: ['更正', 'correction'], REPORT_KIND_RETRACTION: ['撤销', 'retraction'],
};
const STATE = {
  DEADLINE_STATE_ON_TIME: ['未到期', 'on time'], DEADLINE_STATE_AT_RISK: ['临近时限', 'at risk'],
  DEADLINE_STATE_OVERDUE: ['已超时', 'overdue'], DEADLINE_STATE_MET: ['按时', 'met'],
  DEADLINE_STATE_MET_LATE: ['迟报', 'met late'],
};
const RULE = {
  DEADLINE_RULE_UNIT_TO_LOCAL: ['单位向属地报告（1小时）', 'unit → local government (1h)'],
  DEADLINE_RULE_PER_HOP: ['逐级上报（每级2小时）', 'hand-off to the next level (2h)'],
  DEADLINE_RULE_END_TO_END: ['报达省政府（3小时）', 'reach the province (3h)'],
  DEADLINE_RULE_DIRECT_TO_PROVINCE: ['Ⅰ/Ⅱ级直报省政府（1小时）', 'grade I/II direct to the province (1h)'],
  DEADLINE_RULE_PROVINCE_TO_NATIONAL: ['报国务院（4小时）', 'State Council (4h)'],
  DEADLINE_RULE_BRIEF_TO_DETAILED: ['快报后详报（40分钟）', 'brief → detailed (40m)'],
  DEADLINE_RULE_FOLLOW_UP: ['续报', 'follow-up'],
  DEADLINE_RULE_INSTRUCTION_RELAY: ['批示送达', 'instruction reaches the locality'],
  DEADLINE_RULE_FEEDBACK: ['批示反馈', 'feedback on instruction'],
};
const FEEDBACK = {
  FEEDBACK_STATUS_RECEIVED: ['已送达', 'delivered'], FEEDBACK_STATUS_SIGNED_FOR: ['已签收', 'signed for'],
  FEEDBACK_STATUS_IN_PROGRESS: ['办理中', 'in progress'], FEEDBACK_STATUS_DONE: ['已办结', 'done'],
  FEEDBACK_STATUS_CANNOT_COMPLY: ['无法办理', 'cannot comply'],
};
const BREACH = {
  BREACH_KIND_LATE_HAND_OFF: ['逐级迟报', 'late hand-off'], BREACH_KIND_LATE_UNIT_REPORT: ['单位迟报', 'late unit report'],
  BREACH_KIND_LATE_TO_PROVINCE: ['迟报省政府', 'late to the province'], BREACH_KIND_LATE_TO_NATIONAL: ['迟报国务院', 'late to the State Council'],
  BREACH_KIND_MISSED_FOLLOW_UP: ['未按时续报', 'missed follow-up'], BREACH_KIND_LATE_INSTRUCTION: ['批示迟达', 'late instruction'],
  BREACH_KIND_OVERDUE_FEEDBACK: ['反馈超时', 'overdue feedback'], BREACH_KIND_SEQUENCE_GAP: ['漏报（编号缺失）', 'missing numbers'],
};
const CHILD = {
  CHILD_CONDITION_DOWN: ['断开', 'down'], CHILD_CONDITION_CONNECTED: ['正常', 'connected'],
  CHILD_CONDITION_STALLED: ['阻塞', 'stalled'],
};
const name = (table, key) => (table[key] ? table[key][lang === 'zh' ? 0 : 1] : (key || ''));
const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
function chineseNumber(n) {
  if (n <= 10) return NUMERALS[n - 1];
  if (n < 20) return '十' + NUMERALS[n - 11];
  return String(n);
}

// ---- regions and times ----------------------------------------------------
const REGIONS = new Map();
let HERE = '';  // this console's node id (/api/status)
const DEPARTMENTS = new Map();
// Comment lines (#) give the tables' sources; the first other line is the
// header.
function csvRows(text) {
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).slice(1).map((l) => l.split(','));
}
async function loadRegions() {
  const [regions, departments] = await Promise.all(['/regions.csv', '/departments.csv'].map(async (u) => (await fetch(u)).text()));
  for (const [code, level, regionName, parent] of csvRows(regions)) {
    if (code) REGIONS.set(code, { code, level, name: regionName, parent });
  }
  for (const [code, provincial, local] of csvRows(departments)) {
    if (code) DEPARTMENTS.set(code, { provincial, local });
  }
}
const esc = (s) => String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
// A node id is a region code, or "<region>:<department>" for a department's
// office there (小店区应急管理局, 山西省应急管理厅), as client/region_names.cc.
function regionName(code) {
  const [regionCode, dept] = String(code).split(':');
  const r = REGIONS.get(regionCode);
  if (!r) return code;
  if (!dept) return r.name;
  const d = DEPARTMENTS.get(dept);
  if (!d) return r.name + ' ' + dept;
  return r.level === 'province' || !d.local ? d.provincial : r.name + d.local;
}
// A region code, a node id, or an identity URI
// (spiffe://kuaibao/node/<region>[/dept/<code>], .../client/<region>/<name>):
// its name, the code beside it (two counties may share a name), and a
// client's or auditor's own name after.
function regionHtml(code) {
  if (!code) return '';
  const m = /^spiffe:\/\/kuaibao\/(node|client|auditor)\/(\d{12})(?:\/(.*))?$/.exec(code);
  if (m) {
    const dept = m[1] === 'node' && /^dept\/(.+)$/.exec(m[3] || '');
    if (dept) return regionHtml(m[2] + ':' + dept[1]);
    return regionHtml(m[2]) + (m[3] ? ' ' + esc(m[3]) : '');
  }
  return `${esc(regionName(code))} <span class="code">${esc(code)}</span>`;
}
const BEIJING = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
});
function fmt(ts) {
  if (!ts) return '';
  const d = new Date(ts);
  if (isNaN(d) || d.getTime() <= 0) return '';
  return BEIJING.format(d);
}
// A datetime-local value, read as Beijing time → RFC 3339 with +08:00.
function fromLocal(value) {
  if (!value) return undefined;
  return (value.length === 16 ? value + ':00' : value) + '+08:00';
}
function nowLocal() {
  return BEIJING.format(new Date()).replace(' ', 'T').slice(0, 16);
}
function duration(seconds) {
  const neg = seconds < 0;
  let s = Math.abs(Math.round(seconds));
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const txt = lang === 'zh' ? (h ? `${h}小时` : '') + `${m}分${s}秒` : (h ? `${h}h` : '') + `${m}m${s}s`;
  return (neg ? '-' : '') + txt;
}
const secs = (d) => (d ? parseFloat(String(d).replace('s', '')) : 0);
// On a drill the node runs the notice's deadlines `scale` times faster
// (deadlines { time_scale }, the answers' timeScale): spans read in notice
// time, with the wall time beside them, as the CLI prints them.
function noticeDuration(seconds, scale) {
  if (!scale || scale === 1) return duration(seconds);
  const wall = Math.abs(seconds) < 60 ? `${seconds.toFixed(1)}${lang === 'zh' ? '秒' : 's'}` : duration(seconds);
  return `${duration(seconds / scale)}${lang === 'zh' ? '（演练实耗 ' : ' (drill wall time '}${wall}${lang === 'zh' ? '）' : ')'}`;
}

// ---- talking to the console -----------------------------------------------
async function api(path, body) {
  const res = await fetch(path, body === undefined ? {} : {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({ message: res.statusText }));
  if (!res.ok) throw json;
  return json;
}
function errorText(e) {
  const kind = e && e.kind ? t('node_' + e.kind) : '';
  return (kind && kind !== 'node_' + e.kind ? kind + '：' : '') + zhReason(e && e.field, e && e.message);
}
// The node's refusal reasons, in Chinese.
function zhReason(field, message) {
  if (lang !== 'zh' || !message) return message || '';
  const rules = [
    [/is required/, '为必填项'], [/is in the future/, '不能晚于当前时间'], [/before the year 2000/, '不能早于2000年'],
    [/bytes; at most/, '内容过长'], [/not a known region|unknown region|not in the region table/, '不是已知的行政区划'],
    [/outside the client's|outside your region|outside the caller/, '超出本单位管辖范围'],
    [/exists with other content|already taken|different report/, '该编号已被另一份内容不同的报告使用'],
    [/must be at least 1 after the first report/, '续报序号错误'],
  ];
  for (const [re, zh] of rules) if (re.test(message)) return zh;
  return '节点拒收（' + message + '）';
}

// ---- the feed (Server-Sent Events) ----------------------------------------
const FEED = [];
let acked = new Set(JSON.parse(localStorage.getItem('acked') || '[]'));
function startFeed() {
  const source = new EventSource('/api/events?since=0');
  source.addEventListener('item', (e) => {
    const item = JSON.parse(e.data);
    item.cursor = Number(e.lastEventId);
    if (FEED.length && FEED[FEED.length - 1].cursor >= item.cursor) return;
    FEED.push(item);
    onItem(item);
  });
  source.addEventListener('node', (e) => showNodeState(JSON.parse(e.data)));
  source.onerror = () => showNodeState({ up: false, kind: 'down', reason: 'console' });
}
function showNodeState(s) {
  const el = document.getElementById('node-state');
  el.className = 'state ' + (s.up ? 'up' : 'down');
  el.textContent = s.up ? (s.kind === 'not_accepting' ? t('node_not_accepting') : t('node_up')) : t('node_' + (s.kind || 'down'));
  el.title = s.reason || '';
  el.dataset.kind = s.kind || '';
}
function urgent(r) {
  return r && (r.grade === 'GRADE_I' || r.grade === 'GRADE_II' || r.sensitive);
}
function onItem(item) {
  if (item.report && urgent(item.report) && !acked.has(item.report.reportId)) raiseAlert();
  if (route().page === 'board') renderBoard();
}
let beeping = null;
function raiseAlert() {
  const pending = FEED.filter((i) => i.report && urgent(i.report) && !acked.has(i.report.reportId));
  const box = document.getElementById('alert');
  if (!pending.length) {
    box.classList.add('hidden');
    if (beeping) { clearInterval(beeping); beeping = null; }
    return;
  }
  const r = pending[pending.length - 1].report;
  document.getElementById('alert-text').innerHTML = esc(t('alert_text')) +
    `${esc(name(GRADE, r.grade))} ${regionHtml(r.regionCode)} ${esc(r.headline)}` + (pending.length > 1 ? ` (+${pending.length - 1})` : '');
  box.classList.remove('hidden');
  if (!beeping) { beep(); beeping = setInterval(beep, 5000); }
  if (window.Notification && Notification.permission === 'granted' && !r.notified) {
    r.notified = true;
    new Notification('快报 ' + name(GRADE, r.grade), { body: regionName(r.regionCode) + ' ' + r.headline });
  }
}
function beep() {
  try {
    const ctx = new (window.AudioContext || window.webkitAudioContext)();
    const o = ctx.createOscillator(); o.frequency.value = 880; o.connect(ctx.destination);
    o.start(); o.stop(ctx.currentTime + 0.4);
  } catch (e) { /* no audio device */ }
}
document.getElementById('alert-ack').onclick = () => {
  for (const i of FEED) if (i.report && urgent(i.report)) acked.add(i.report.reportId);
  localStorage.setItem('acked', JSON.stringify([...acked]));
  raiseAlert();
};

// ---- pages ----------------------------------------------------------------
const main = document.getElementById('main');
function route() {
  const [page, ...rest] = (location.hash.slice(1) || 'board').split('/');
  return { page, args: rest.map(decodeURIComponent) };
}
const boardFilter = { grade: '', category: '', region: '', kind: '' };
function options(table, selected, withAll) {
  return (withAll ? `<option value="">${esc(t('all'))}</option>` : `<option value="">${esc(t('pick'))}</option>`) +
    Object.keys(table).map((k) => `<option value="${k}"${k === selected ? ' selected' : ''}>${esc(name(table, k))}</option>`).join('');
}
function renderBoard() {
  const reports = FEED.filter((i) => i.report).reverse();
  const f = boardFilter;
  const shown = reports.filter((i) => {
    const r = i.report;
    return (!f.grade || r.grade === f.grade) && (!f.category || r.category === f.category) && (!f.kind || r.kind === f.kind) &&
      (!f.region || r.regionCode.startsWith(f.region.replace(/0+$/, '')) || regionName(r.regionCode).includes(f.region));
  });
  if (!document.getElementById('board')) {
    main.innerHTML = `<h2>${esc(t('nav_board'))}</h2>
      <div class="filters">
        <label>${esc(t('grade'))} <select id="f-grade">${options(GRADE, f.grade, true)}</select></label>
        <label>${esc(t('category'))} <select id="f-category">${options(CATEGORY, f.category, true)}</select></label>
        <label>${esc(t('kind'))} <select id="f-kind">${options(KIND, f.kind, true)}</select></label>
        <label>${esc(t('region'))} <input id="f-region" size="12" value="${esc(f.region)}"></label>
      </div>
      <table id="board"><thead><tr><th>${esc(t('time'))}</th><th>${esc(t('grade'))}</th><th>${esc(t('category'))}</th>
      <th>${esc(t('kind'))}</th><th>${esc(t('region'))}</th><th>${esc(t('headline'))}</th><th>${esc(t('from'))}</th></tr></thead><tbody></tbody></table>`;
    for (const k of ['grade', 'category', 'kind', 'region']) {
      document.getElementById('f-' + k).oninput = (e) => { boardFilter[k] = e.target.value; renderBoard(); };
    }
  }
  document.querySelector('#board tbody').innerHTML = shown.map((i) => {
    const r = i.report;
    return `<tr class="clickable${urgent(r) ? ' urgent' : ''}" data-id="${esc(r.reportId)}">
      <td>${esc(fmt(i.recordedAt))}</td><td>${esc(name(GRADE, r.grade))}${r.sensitive ? ' ⚠' : ''}</td>
      <td>${esc(name(CATEGORY, r.category))}</td><td>${esc(name(KIND, r.kind))}${r.status === 'REPORT_STATUS_EXERCISE' || r.status === 'REPORT_STATUS_TEST' ? ' [' + esc(t('drill')) + ']' : ''}</td>
      <td>${regionHtml(r.regionCode)}</td><td>${esc(r.headline)}</td><td>${regionHtml(r.from)}</td></tr>`;
  }).join('');
  for (const tr of document.querySelectorAll('#board tbody tr')) {
    tr.onclick = () => { location.hash = '#event/' + encodeURIComponent(tr.dataset.id); };
  }
}

// 报送: a brief report, or a follow-up filed from its event.
function draftId(key) {
  let id = localStorage.getItem('draft:' + key);
  if (!id) {
    id = 'kb-' + ([1e7] + -1e3 + -4e3 + -8e3 + -1e11).replace(/[018]/g, (c) =>
      (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16));
    localStorage.setItem('draft:' + key, id);
    localStorage.setItem('draft-at:' + key, new Date().toISOString());
  }
  return id;
}
function regionPicker() {
  const cities = [...REGIONS.values()].filter((r) => r.level === 'city');
  return `<select id="r-city">${'<option value="">' + esc(t('pick')) + '</option>' + cities.map((c) => `<option value="${c.code}">${esc(c.name)}</option>`).join('')}</select>
    <select id="r-county"></select> <select id="r-township"></select> <span id="r-code" class="code"></span>`;
}
function wireRegionPicker() {
  const fill = (sel, parent) => {
    const kids = [...REGIONS.values()].filter((r) => r.parent === parent);
    sel.innerHTML = '<option value="">' + esc(t('pick')) + '</option>' + kids.map((c) => `<option value="${c.code}">${esc(c.name)}</option>`).join('');
  };
  const city = document.getElementById('r-city'), county = document.getElementById('r-county'), town = document.getElementById('r-township');
  const show = () => { document.getElementById('r-code').textContent = pickedRegion() || ''; };
  city.onchange = () => { fill(county, city.value); town.innerHTML = ''; show(); };
  county.onchange = () => { fill(town, county.value); show(); };
  town.onchange = show;
}
function pickedRegion() {
  return ['r-township', 'r-county', 'r-city'].map((id) => document.getElementById(id).value).find((v) => v) || '';
}
function field(id, label, input, hint) {
  return `<label for="${id}">${esc(label)}</label><div>${input}</div>` +
    (hint ? `<div class="hint">${esc(hint)}</div>` : '') + `<div class="error hidden" id="err-${id}"></div>`;
}
async function renderReportForm(eventId) {
  let previous = null;
  let number = 0;
  if (eventId) {
    const list = await api('/api/reports?event=' + encodeURIComponent(eventId)).catch(() => ({ reports: [] }));
    const reports = (list.reports || []).map((s) => s.report).sort((a, b) => (a.eventSeq || 0) - (b.eventSeq || 0));
    previous = reports[reports.length - 1] || null;
    number = reports.length;
  }
  const key = eventId ? 'follow:' + eventId + ':' + number : 'brief';
  const title = eventId ? `${t('followup_title')}${lang === 'zh' ? chineseNumber(number) : ' ' + number}` : t('form_title');
  main.innerHTML = `<h2 id="form-title">${esc(title)}</h2>
  <form class="report" id="report-form" novalidate>
    ${eventId ? field('kind', t('f_kind'), `<select id="kind"><option value="REPORT_KIND_FOLLOW_UP">${esc(name(KIND, 'REPORT_KIND_FOLLOW_UP'))}</option><option value="REPORT_KIND_FINAL">${esc(name(KIND, 'REPORT_KIND_FINAL'))}</option></select>`) : ''}
    ${field('occurred_at', t('f_occurred'), `<input type="datetime-local" id="occurred_at" value="${previous ? fmt(previous.occurredAt).replace(' ', 'T').slice(0, 16) : nowLocal()}">`, lang === 'zh' ? '北京时间' : 'Beijing time')}
    ${field('unit_informed_at', t('f_informed'), '<input type="datetime-local" id="unit_informed_at">', lang === 'zh' ? '报送单位负责人获悉的时间（北京时间），起算1小时报告时限' : 'when the unit\'s head learned of it (Beijing time): the 1-hour clock')}
    ${field('location.region_code', t('f_region'), regionPicker())}
    ${field('location.address', t('f_address'), `<input type="text" id="location.address" value="${esc(previous ? previous.location.address : '')}">`)}
    ${field('unit.name', t('f_unit'), `<input type="text" id="unit.name" value="${esc(previous ? previous.unit.name : '')}">`)}
    ${field('unit.preparer', t('f_preparer'), '<input type="text" id="unit.preparer">')}
    ${field('unit.phone', t('f_phone'), '<input type="text" id="unit.phone">')}
    ${field('headline', t('f_headline'), `<input type="text" id="headline" maxlength="60" value="${esc(previous ? previous.headline : '')}">`)}
    ${field('course', t('f_course'), '<textarea id="course" rows="3"></textarea>')}
    ${field('cause', t('f_cause'), '<input type="text" id="cause">')}
    ${field('harm', t('f_deaths') + ' / ' + t('f_injured') + ' / ' + t('f_missing'), '<input type="number" min="0" id="deaths" value="0" style="width:6em"> <input type="number" min="0" id="injured" value="0" style="width:6em"> <input type="number" min="0" id="missing" value="0" style="width:6em">')}
    ${field('harm.economic_loss_yuan', t('f_loss'), '<input type="number" min="0" id="loss" value="0">')}
    ${field('trend', t('f_trend'), `<select id="trend"><option value="TREND_UNKNOWN">${lang === 'zh' ? '不明' : 'unknown'}</option><option value="TREND_ESCALATING">${lang === 'zh' ? '扩大' : 'escalating'}</option><option value="TREND_STABLE">${lang === 'zh' ? '稳定' : 'stable'}</option><option value="TREND_EASING">${lang === 'zh' ? '缓解' : 'easing'}</option><option value="TREND_CONTROLLED">${lang === 'zh' ? '已控制' : 'controlled'}</option></select>`)}
    ${field('measures', t('f_measures'), '<textarea id="measures" rows="2"></textarea>')}
    ${field('help_needed', t('f_help'), '<input type="text" id="help_needed">')}
    ${field('source', t('f_source'), '<input type="text" id="source">')}
    ${field('category', t('f_category'), `<select id="category">${options(CATEGORY, previous ? previous.category : '', false)}</select>`, Object.values(CATEGORY).map((c) => c[0] + '：' + c[2]).join('；'))}
    ${field('grade', t('f_grade'), `<select id="grade">${options(GRADE, previous ? previous.grade : '', false)}</select>`, Object.values(GRADE).map((g) => g[0] + '：' + g[2]).join('；'))}
    ${field('departments', t('f_departments'), `<select id="departments" multiple size="4">${[...DEPARTMENTS].filter(([, d]) => d.local).map(([code, d]) => `<option value="${esc(code)}"${previous && (previous.departments || []).includes(code) ? ' selected' : ''}>${esc(d.local)}（${esc(d.provincial)}）</option>`).join('')}</select>`, lang === 'zh' ? '向事件发生地政府报告的同时报告有关部门（按住 Ctrl 多选）；本级政府节点转送各部门节点' : 'the competent departments, reported to at the same time as the local government (Ctrl-click for several); the government node delivers across to them')}
    ${field('sensitivity', t('f_sensitive'), `<input type="checkbox" id="sensitive"${previous && (previous.sensitivity || []).length ? ' checked' : ''}>`, lang === 'zh' ? '敏感地点、时间、人群，或可能演化为Ⅰ/Ⅱ级' : 'sensitive place, time or people, or may become grade I/II')}
    <div></div><div class="actions"><button class="primary" type="submit" id="submit">${esc(t('submit'))}</button> <span id="form-result"></span></div>
  </form>`;
  wireRegionPicker();
  if (previous) presetRegion(previous.location.regionCode);
  document.getElementById('report-form').onsubmit = async (e) => {
    e.preventDefault();
    await submitReport(key, eventId, previous, number);
  };
}
function presetRegion(code) {
  const r = REGIONS.get(code);
  const chain = [];
  for (let c = r; c; c = REGIONS.get(c.parent)) chain.unshift(c);
  const [, city, county, town] = chain;
  const set = (id, v) => { const el = document.getElementById(id); if (v) { el.value = v.code; el.onchange(); } };
  set('r-city', city); set('r-county', county); set('r-township', town);
}
function showFieldError(fieldId, message) {
  const box = document.getElementById('err-' + fieldId) || document.getElementById('err-' + fieldId.split('.')[0]);
  if (box) {
    box.textContent = message;
    box.classList.remove('hidden');
    const input = document.getElementById(fieldId);
    if (input) input.classList.add('invalid');
    return true;
  }
  return false;
}
async function submitReport(key, eventId, previous, number) {
  for (const el of document.querySelectorAll('.error')) el.classList.add('hidden');
  for (const el of document.querySelectorAll('.invalid')) el.classList.remove('invalid');
  const v = (id) => document.getElementById(id).value.trim();
  // The form's own checks, before the node's.
  const missing = [];
  if (!v('occurred_at')) missing.push('occurred_at');
  if (!pickedRegion()) missing.push('location.region_code');
  for (const id of ['unit.name', 'headline', 'category', 'grade']) if (!v(id)) missing.push(id);
  if (missing.length) {
    for (const id of missing) showFieldError(id, t('required'));
    return;
  }
  const source = v('source');
  const report = {
    reportId: draftId(key),
    eventId: eventId || 'ev-' + draftId(key).slice(3),
    eventSeq: number,
    kind: eventId ? v('kind') : 'REPORT_KIND_BRIEF',
    status: 'REPORT_STATUS_ACTUAL',
    category: v('category'), grade: v('grade'),
    classification: 'CLASSIFICATION_INTERNAL',
    sensitivity: document.getElementById('sensitive').checked ? ['SENSITIVITY_REASON_OTHER'] : [],
    occurredAt: fromLocal(v('occurred_at')),
    unitInformedAt: fromLocal(v('unit_informed_at')),
    authoredAt: localStorage.getItem('draft-at:' + key),
    location: { regionCode: pickedRegion(), address: v('location.address') },
    unit: { name: v('unit.name'), preparer: v('unit.preparer'), phone: v('unit.phone') },
    headline: v('headline'),
    course: v('course') + (source ? (lang === 'zh' ? '（信息来源：' : ' (source: ') + source + (lang === 'zh' ? '）' : ')') : ''),
    cause: v('cause'),
    harm: { deaths: +v('deaths') || 0, injured: +v('injured') || 0, missing: +v('missing') || 0, economicLossYuan: String(+v('loss') || 0) },
    trend: v('trend'), measures: v('measures'), helpNeeded: v('help_needed'),
  };
  report.departments = [...document.getElementById('departments').selectedOptions].map((o) => o.value);
  if (previous) report.supersedes = previous.reportId;
  const result = document.getElementById('form-result');
  result.textContent = t('sending');
  document.getElementById('submit').disabled = true;
  try {
    const answer = await api('/api/submit', report);
    if (answer.receipt) {
      localStorage.removeItem('draft:' + key);
      localStorage.removeItem('draft-at:' + key);
      result.innerHTML = `<span class="ok" id="sent-ok">${esc(t('sent_ok'))}</span> <a href="#event/${encodeURIComponent(report.reportId)}">${esc(report.reportId)}</a>`;
      return;
    }
    const rej = answer.rejection || {};
    const text = zhReason(rej.field, rej.message);
    if (!showFieldError(rej.field || '', text)) result.innerHTML = `<span class="late">${esc(t('refused') + text)}</span>`;
    else result.textContent = '';
  } catch (e) {
    result.innerHTML = `<span class="late">${esc(errorText(e))}</span>`;
  } finally {
    document.getElementById('submit').disabled = false;
  }
}

// The event page: a report, its timeline, the event's reports and
// instructions.
async function renderEvent(reportId) {
  main.innerHTML = '…';
  let got;
  try {
    got = await api('/api/report?id=' + encodeURIComponent(reportId));
  } catch (e) {
    main.innerHTML = `<p class="late">${esc(errorText(e))}</p>`;
    return;
  }
  const r = got.report.report;
  const [timeline, list, instr] = await Promise.all([
    api('/api/timeline?id=' + encodeURIComponent(reportId)).catch(() => null),
    api('/api/reports?event=' + encodeURIComponent(r.eventId)).catch(() => ({ reports: [] })),
    api('/api/instructions?event=' + encodeURIComponent(r.eventId)).catch(() => ({ instructions: [] })),
  ]);
  const reports = (list.reports || []).map((s) => s.report).sort((a, b) => (a.eventSeq || 0) - (b.eventSeq || 0));
  const label = (rep, i) => (i === 0 ? name(KIND, rep.kind) : (lang === 'zh' ? '续报' + chineseNumber(i) : 'follow-up ' + i));
  const hops = timeline && timeline.reports && timeline.reports[0] ? timeline.reports[0].hops : [];
  main.innerHTML = `<h2>${esc(r.headline)}</h2>
  <div class="card"><b>${esc(name(GRADE, r.grade))}</b> · ${esc(name(CATEGORY, r.category))} · ${esc(name(KIND, r.kind))} ·
    ${regionHtml(r.location.regionCode)} ${esc(r.location.address)}<br>
    ${esc(t('f_occurred'))}：${esc(fmt(r.occurredAt))} · ${esc(t('f_unit'))}：${esc(r.unit.name)}<br>
    ${esc(r.course)}<br>${esc(t('f_deaths'))} ${r.harm ? r.harm.deaths : 0} · ${esc(t('f_injured'))} ${r.harm ? r.harm.injured : 0} · ${esc(t('f_missing'))} ${r.harm ? r.harm.missing : 0}
    <br><span class="code">${esc(r.reportId)} · ${esc(t('event'))} ${esc(r.eventId)}</span></div>
  <h3>${esc(t('reports_of_event'))} <a href="#report/${encodeURIComponent(r.eventId)}" id="file-followup">${esc(t('file_followup'))}</a></h3>
  <table id="event-reports"><tbody>${reports.map((rep, i) => `<tr class="clickable" data-id="${esc(rep.reportId)}"><td class="report-number">${esc(label(rep, i))}</td><td>${esc(fmt(rep.authoredAt || rep.occurredAt))}</td><td>${esc(rep.headline)}</td><td class="code">${esc(rep.reportId)}</td></tr>`).join('')}</tbody></table>
  <h3>${esc(t('timeline'))}</h3>
  <table id="timeline"><thead><tr><th>${esc(t('path'))}</th><th>${esc(t('node'))}</th><th>${esc(t('from'))}</th><th>${esc(t('received'))}</th><th>${esc(t('sent'))}</th><th>${esc(t('acked'))}</th><th>${esc(t('dwell'))}</th><th>${esc(t('budget'))}</th></tr></thead>
  <tbody>${hops.map((h) => `<tr class="${h.late ? 'late' : ''}"><td>${h.path ? (lang === 'zh' ? '直报' : 'direct') : (lang === 'zh' ? '逐级' : 'level by level')}</td><td>${regionHtml(h.node)}</td><td>${regionHtml(h.receivedFrom)}</td><td>${esc(fmt(h.receivedAt))}</td><td>${esc(fmt(h.sentAt))} ${h.sentTo ? '→ ' + regionHtml(h.sentTo) : ''}</td><td>${esc(fmt(h.ackedAt))}</td><td class="${h.late ? 'late' : ''}">${esc(noticeDuration(secs(h.dwell), timeline.timeScale))}</td><td>${h.budget ? esc(noticeDuration(secs(h.budget), timeline.timeScale)) : ''}</td></tr>`).join('')}</tbody></table>
  <h3>${esc(t('deadlines'))}</h3>${dueTable(got.deadlines || [], got.timeScale)}
  <h3>${esc(t('instructions'))}</h3>${(instr.instructions || []).map(instructionCard).join('') || esc(t('none'))}`;
  for (const tr of document.querySelectorAll('#event-reports tr')) tr.onclick = () => { location.hash = '#event/' + encodeURIComponent(tr.dataset.id); };
  wireInstructionCards();
}

function dueTable(deadlines, scale) {
  return `<table class="due"><thead><tr><th>${esc(t('rule'))}</th><th>${esc(t('headline'))}</th><th>${esc(t('responsible'))}</th><th>${esc(t('due_at'))}</th><th>${esc(t('state'))}</th><th>${esc(t('left'))}</th></tr></thead><tbody>
  ${deadlines.map((d) => `<tr class="${d.state === 'DEADLINE_STATE_OVERDUE' || d.state === 'DEADLINE_STATE_MET_LATE' ? 'late' : ''}"><td>${esc(name(RULE, d.rule))}${d.drill ? ' [' + esc(t('drill')) + ']' : ''}</td><td>${esc(d.headline)}</td><td>${regionHtml(d.responsible)}</td><td>${esc(fmt(d.due))}</td><td>${esc(name(STATE, d.state))}</td><td class="countdown" data-due="${esc(d.due)}" data-met="${esc(d.metAt || '')}" data-scale="${esc(scale || 1)}"></td></tr>`).join('')}</tbody></table>`;
}
function tickCountdowns() {
  for (const td of document.querySelectorAll('.countdown')) {
    if (td.dataset.met && new Date(td.dataset.met).getTime() > 0) { td.textContent = ''; continue; }
    const left = (new Date(td.dataset.due) - Date.now()) / 1000;
    td.textContent = noticeDuration(left, Number(td.dataset.scale));
    td.classList.toggle('late', left < 0);
  }
}
setInterval(tickCountdowns, 1000);
async function renderDue() {
  try {
    const due = await api('/api/due');
    main.innerHTML = `<h2>${esc(t('due_title'))}</h2>` + dueTable(due.deadlines || [], due.timeScale);
    tickCountdowns();
  } catch (e) {
    main.innerHTML = `<p class="late">${esc(errorText(e))}</p>`;
  }
}

// 批示
// Whoever issued an instruction does not sign for it or answer it; the
// nodes below it do (HERE: this console's node).
function instructionCard(s) {
  const i = s.instruction;
  // A delivery's text is the node's own word ("received"): the status says it.
  const fb = (s.feedback || []).map((f) => `<li>${esc(name(FEEDBACK, f.status))} · ${regionHtml(f.fromNode)} · ${esc(fmt(f.sentAt))}${f.status === 'FEEDBACK_STATUS_RECEIVED' ? '' : ' · ' + esc(f.text)}</li>`).join('');
  const answer = i.issuerNode === HERE ? '' : `
    <div class="noprint"><button type="button" class="sign">${esc(t('sign'))}</button>
      <select class="fb-status"><option value="FEEDBACK_STATUS_IN_PROGRESS">${esc(name(FEEDBACK, 'FEEDBACK_STATUS_IN_PROGRESS'))}</option><option value="FEEDBACK_STATUS_DONE">${esc(name(FEEDBACK, 'FEEDBACK_STATUS_DONE'))}</option><option value="FEEDBACK_STATUS_CANNOT_COMPLY">${esc(name(FEEDBACK, 'FEEDBACK_STATUS_CANNOT_COMPLY'))}</option></select>
      <input class="fb-text" size="30"> <button type="button" class="fb-send">${esc(t('feedback'))}</button> <span class="fb-result"></span></div>`;
  return `<div class="card instruction" data-id="${esc(i.instructionId)}"><b>${esc(i.issuerTitle)}</b> ${esc(fmt(i.issuedAt))}：${esc(i.text)}
    <div>→ ${regionHtml(i.targetRegion)} · ${(i.hops || []).map((h) => regionHtml(h.node) + ' ' + esc(fmt(h.receivedAt))).join(' → ')}</div>
    <ul class="feedback">${fb}</ul>${answer}</div>`;
}
function wireInstructionCards() {
  for (const card of document.querySelectorAll('.instruction')) {
    const id = card.dataset.id;
    const result = card.querySelector('.fb-result');
    if (!result) continue;  // issued here: nothing to answer
    const send = async (status, text) => {
      try {
        await api('/api/feedback', { feedback: { feedbackId: id + ':' + status + ':' + text.length + ':' + Date.now(), instructionId: id, status, text } });
        render();
      } catch (e) {
        result.innerHTML = `<span class="late">${esc(errorText(e))}</span>`;
      }
    };
    card.querySelector('.sign').onclick = () => send('FEEDBACK_STATUS_SIGNED_FOR', lang === 'zh' ? '已签收' : 'signed for');
    card.querySelector('.fb-send').onclick = () => send(card.querySelector('.fb-status').value, card.querySelector('.fb-text').value.trim());
  }
}
async function renderInstructions() {
  let list;
  try {
    list = await api('/api/instructions');
  } catch (e) {
    main.innerHTML = `<p class="late">${esc(errorText(e))}</p>`;
    return;
  }
  // Newest first: the event being handled is usually the latest.
  const events = [...new Map(FEED.filter((i) => i.report).map((i) => [i.report.eventId, i.report])).values()].reverse();
  main.innerHTML = `<h2>${esc(t('nav_instructions'))}</h2>
  <div class="card noprint"><b>${esc(t('issue_title'))}</b><br>
    <label>${esc(t('event'))} <select id="i-event">${events.map((r) => `<option value="${esc(r.eventId)}">${esc(r.headline)} (${esc(regionName(r.regionCode))})</option>`).join('')}</select></label>
    <label>${esc(t('by'))} <input id="i-by" size="12"></label><br>
    <textarea id="i-text" rows="2" cols="60"></textarea> <button type="button" class="primary" id="i-issue">${esc(t('issue'))}</button> <span id="i-result"></span></div>
  <div id="instruction-list">${(list.instructions || []).map(instructionCard).join('') || esc(t('none'))}</div>`;
  document.getElementById('i-issue').onclick = async () => {
    const text = document.getElementById('i-text').value.trim();
    try {
      await api('/api/instruct', { instruction: { instructionId: 'in-' + Date.now(), eventId: document.getElementById('i-event').value, text, issuerTitle: document.getElementById('i-by').value.trim() } });
      render();
    } catch (e) {
      document.getElementById('i-result').innerHTML = `<span class="late">${esc(errorText(e))}</span>`;
    }
  };
  wireInstructionCards();
}

// 下级
async function renderChildren() {
  try {
    const c = await api('/api/children');
    main.innerHTML = `<h2>${esc(t('children_title'))}</h2><table id="children"><thead><tr><th>${esc(t('node'))}</th><th>${esc(t('condition'))}</th><th>${esc(t('last_heard'))}</th><th>${esc(t('backlog'))}</th><th>${esc(t('oldest'))}</th><th>${esc(t('skew'))}</th></tr></thead><tbody>
    ${(c.children || []).map((l) => `<tr class="${l.condition !== 'CHILD_CONDITION_CONNECTED' ? 'late' : ''}"><td>${l.depth === 2 ? '　└ ' : ''}${regionHtml(l.region)}</td><td>${esc(name(CHILD, l.condition))}${l.standbyActing ? ` <b class="standby">${esc(t('standby_acting'))}</b>` : ''}</td><td>${esc(fmt(l.lastHeard))}</td><td>${esc(l.backlogReports || 0)}</td><td>${esc(fmt(l.oldestWaitingSince))}</td><td>${l.skewKnown ? esc(duration(secs(l.clockSkew))) : ''}</td></tr>`).join('')}</tbody></table>`;
  } catch (e) {
    main.innerHTML = `<p class="late">${esc(errorText(e))}</p>`;
  }
}

// 通报
function period(kind, value) {
  // Beijing periods as UTC instants.
  let from, to;
  if (kind === 'month') {
    const [y, m] = value.split('-').map(Number);
    from = [y, m]; to = m === 12 ? [y + 1, 1] : [y, m + 1];
  } else if (kind === 'quarter') {
    const [y, q] = value.split('Q').map(Number);
    from = [y, 3 * q - 2]; to = q === 4 ? [y + 1, 1] : [y, 3 * q + 1];
  } else {
    const y = Number(value);
    from = [y, 1]; to = [y + 1, 1];
  }
  const iso = ([y, m]) => `${y}-${String(m).padStart(2, '0')}-01T00:00:00+08:00`;
  return { from: iso(from), to: iso(to) };
}
let bulletinRows = [];
async function renderBulletin() {
  const now = nowLocal();
  main.innerHTML = `<h2>${esc(t('bulletin_title'))}</h2>
  <div class="filters noprint"><select id="b-kind"><option value="month">${esc(t('month'))}</option><option value="quarter">${esc(t('quarter'))}</option><option value="year">${esc(t('year'))}</option></select>
    <input id="b-value" value="${now.slice(0, 7)}" size="8"> <button type="button" id="b-show">${esc(t('show'))}</button>
    <button type="button" id="b-print">${esc(t('print'))}</button> <button type="button" id="b-csv">${esc(t('csv'))}</button></div>
  <div id="bulletin"></div>`;
  document.getElementById('b-kind').onchange = (e) => {
    document.getElementById('b-value').value = e.target.value === 'month' ? now.slice(0, 7) : e.target.value === 'quarter' ? now.slice(0, 4) + 'Q' + Math.ceil(+now.slice(5, 7) / 3) : now.slice(0, 4);
  };
  document.getElementById('b-show').onclick = showBulletin;
  document.getElementById('b-print').onclick = () => window.print();
  document.getElementById('b-csv').onclick = downloadCsv;
  await showBulletin();
}
async function showBulletin() {
  const scope = period(document.getElementById('b-kind').value, document.getElementById('b-value').value.trim());
  const out = document.getElementById('bulletin');
  try {
    const [breaches, stats] = await Promise.all([
      api('/api/audit/breaches', { scope }),
      api('/api/audit/stats', { scope, grouping: 'STATS_GROUPING_REGION' }),
    ]);
    bulletinRows = [];
    for (const g of breaches.groups || []) {
      for (const e of g.entries || []) {
        bulletinRows.push({ kind: g.kind, responsible: g.responsible, e });
      }
    }
    out.innerHTML = `<p>${esc(t('period'))}：${esc(fmt(scope.from).slice(0, 10))} — ${esc(fmt(scope.to).slice(0, 10))}</p>
    <h3>${esc(t('breaches'))}</h3><table id="breaches"><thead><tr><th>${esc(t('responsible'))}</th><th>${esc(t('kind'))}</th><th>${esc(t('headline'))}</th><th>${esc(t('region'))}</th><th>${esc(t('due_at'))}</th><th>${esc(t('late_by'))}</th><th>${esc(t('rule'))}</th></tr></thead><tbody>
    ${bulletinRows.map(({ kind, responsible, e }) => `<tr><td>${regionHtml(responsible)}</td><td>${esc(name(BREACH, kind))}</td><td>${esc(e.headline)}</td><td>${regionHtml(e.regionCode)}</td><td>${esc(fmt(e.breach && e.breach.due))}</td><td class="late">${esc(noticeDuration(secs(e.lateBy), breaches.timeScale))}</td><td>${esc(name(RULE, e.breach && e.breach.rule))}</td></tr>`).join('') || `<tr><td colspan="7">${esc(t('none'))}</td></tr>`}</tbody></table>
    <h3>${esc(t('stats'))}</h3><table id="stats"><thead><tr><th>${esc(t('region'))}</th><th>${esc(t('events'))}</th><th>${esc(t('f_deaths'))}</th><th>${esc(t('f_injured'))}</th><th>${esc(t('f_missing'))}</th><th>${esc(t('f_loss'))}</th></tr></thead><tbody>
    ${(stats.rows || []).concat(stats.total ? [Object.assign({}, stats.total, { key: lang === 'zh' ? '合计' : 'total' })] : []).map((s) => `<tr><td>${/^\d{12}$/.test(s.key) ? regionHtml(s.key) : esc(s.key)}</td><td>${s.events || 0}</td><td>${s.deaths || 0}</td><td>${s.injured || 0}</td><td>${s.missing || 0}</td><td>${s.economicLossYuan || 0}</td></tr>`).join('')}</tbody></table>`;
  } catch (e) {
    out.innerHTML = `<p class="late">${esc(errorText(e))}</p>`;
  }
}
function downloadCsv() {
  const q = (s) => '"' + String(s == null ? '' : s).replace(/"/g, '""') + '"';
  const iso = (ts) => (fmt(ts) ? fmt(ts).replace(' ', 'T') + '+08:00' : '');
  const lines = [['责任单位', '代码', '类型', '标题', '发生地', '代码', '时限', '迟报(秒)', '规则'].map(q).join(',')];
  for (const { kind, responsible, e } of bulletinRows) {
    lines.push([regionName(responsible), responsible, name(BREACH, kind), e.headline, regionName(e.regionCode), e.regionCode,
      iso(e.breach && e.breach.due), Math.round(secs(e.lateBy)), name(RULE, e.breach && e.breach.rule)].map(q).join(','));
  }
  const blob = new Blob(['\ufeff' + lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = 'tongbao.csv';
  a.click();
}

// ---- routing --------------------------------------------------------------
function applyLanguage() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
  document.getElementById('lang').textContent = lang === 'zh' ? 'English' : '中文';
}
document.getElementById('lang').onclick = () => {
  lang = lang === 'zh' ? 'en' : 'zh';
  localStorage.setItem('lang', lang);
  applyLanguage();
  render();
};
function render() {
  const { page, args } = route();
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.getAttribute('href') === '#' + page);
  main.innerHTML = '';
  if (page === 'report') return renderReportForm(args[0]);
  if (page === 'event') return renderEvent(args[0]);
  if (page === 'due') return renderDue();
  if (page === 'instructions') return renderInstructions();
  if (page === 'children') return renderChildren();
  if (page === 'bulletin') return renderBulletin();
  return renderBoard();
}
window.addEventListener('hashchange', render);
// A click on the page already shown starts it afresh (a new, empty form
// after a report was sent); hashchange does not fire for it.
for (const a of document.querySelectorAll('#nav a')) {
  a.addEventListener('click', () => { if (a.getAttribute('href') === location.hash) render(); });
}
(async () => {
  applyLanguage();
  if (window.Notification && Notification.permission === 'default') Notification.requestPermission().catch(() => {});
  await loadRegions();
  HERE = (await api('/api/status').catch(() => ({}))).node || '';
  startFeed();
  render();
})();

// One vital-sign chart (uPlot, canvas): the series as the server down-sampled it, the patient's effective
// thresholds as shaded bands (warning amber, critical red), and her alerts as red marks on the time axis.
import { el } from '../dom.js';
import { formatNumber, language, metricName, t, unit } from '../i18n.js';

const COLORS = ['#0b5394', '#6a1b9a'];
const BAND_FILL = { warning: 'rgba(240, 160, 0, 0.22)', critical: 'rgba(200, 30, 30, 0.20)' };

/**
 * @param spec   {key, metrics: [metric...]}
 * @param series [{metric, unit, bucket?, items: [{ts, value}]}] one per metric
 * @param bands  effective threshold entries of these metrics
 * @param alerts the patient's alerts on these metrics
 */
export function chart(spec, series, bands, alerts, days) {
  const title = spec.metrics.length > 1 ? metricName('blood_pressure') : metricName(spec.metrics[0]);
  const box = el('section', { class: 'chart', dataset: { metric: spec.key } }, el('h3', { text: `${title} (${unit(series[0].unit)})` }));
  const times = [...new Set(series.flatMap((s) => s.items.map((i) => Date.parse(i.ts) / 1000)))].sort((a, b) => a - b);
  box.dataset.points = String(times.length);
  if (times.length === 0) {
    box.append(el('p', { class: 'muted', text: t('patient.noData') }));
    return { box, mount: () => {}, destroy: () => {} };
  }
  const index = new Map(times.map((ts, i) => [ts, i]));
  const data = [times, ...series.map((s) => {
    const column = new Array(times.length).fill(null);
    s.items.forEach((i) => { column[index.get(Date.parse(i.ts) / 1000)] = i.value; });
    return column;
  })];
  // Shaded bands for the chart's first metric (systolic on the blood-pressure chart); the thresholds of a second
  // metric on the same axis (diastolic) are dashed lines in its colour, so the two are never mistaken for each other.
  const shaded = dedupe(bands.filter((b) => b.metric === spec.metrics[0]));
  const lines = dedupe(bands.filter((b) => b.metric !== spec.metrics[0]));
  box.dataset.bands = String(shaded.length);
  box.dataset.lines = String(lines.length);
  const marks = alerts.map((a) => Date.parse(a.measuredAt) / 1000).filter((ts) => ts >= times[0] - 3600 && ts <= times[times.length - 1] + 3600);
  box.dataset.alertMarks = String(marks.length);
  const values = data.slice(1).flat().filter((v) => v !== null);
  const limits = [...shaded, ...lines].map((b) => b.value);
  let lo = Math.min(...values, ...limits);
  let hi = Math.max(...values, ...limits);
  const pad = (hi - lo) * 0.08 || 1;
  lo -= pad; hi += pad;
  const bucket = series.find((s) => s.bucket)?.bucket;
  const legend = el('div', { class: 'legend-bands' },
    series.map((s, i) => el('span', {}, el('i', { class: `swatch sw-series${i}` }), metricName(s.metric))),
    shaded.some((b) => b.severity === 'warning') ? el('span', {}, el('i', { class: 'swatch sw-warn' }), t('patient.band.warning')) : null,
    shaded.some((b) => b.severity === 'critical') ? el('span', {}, el('i', { class: 'swatch sw-crit' }), t('patient.band.critical')) : null,
    lines.length ? el('span', {}, el('i', { class: 'swatch sw-line' }), t('patient.band.lines', { metric: metricName(spec.metrics[1]) })) : null,
    marks.length ? el('span', {}, el('i', { class: 'swatch sw-alert' }), t('patient.alertMark')) : null,
    bucket ? el('span', { text: t('patient.downsampled', { bucket: bucketText(bucket) }) }) : null);
  const plot = el('div', { role: 'img', 'aria-label': t('patient.chart.label', { metric: title, days }) });
  box.append(plot, legend);
  let u = null;
  let resize = null;
  const fmtDate = new Intl.DateTimeFormat(language(), { month: 'numeric', day: 'numeric' });
  const fmtDateTime = new Intl.DateTimeFormat(language(), { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  const fmtTime = new Intl.DateTimeFormat(language(), { hour: '2-digit', minute: '2-digit' });
  // Days on long ranges; hours within a day, with the date where a new day begins.
  function timeTicks(ticks) {
    const step = ticks.length > 1 ? ticks[1] - ticks[0] : 86400;
    let day = null;
    return ticks.map((v) => {
      const d = new Date(v * 1000);
      if (step >= 86400) return fmtDate.format(d);
      const today = d.toDateString();
      const label = today !== day ? fmtDateTime.format(d) : fmtTime.format(d);
      day = today;
      return label;
    });
  }
  const fmtFull = new Intl.DateTimeFormat(language(), { dateStyle: 'short', timeStyle: 'short' });
  function mount() {
    const width = Math.max(280, plot.clientWidth || box.clientWidth - 16);
    u = new uPlot({
      width, height: 220,
      // The whole period on the time axis, so seven days look like seven days however few readings there are.
      scales: { x: { time: true, range: [Date.parse(series[0].from) / 1000, Date.parse(series[0].to) / 1000] }, y: { range: [lo, hi] } },
      legend: { show: false },
      axes: [
        { values: (self, ticks) => timeTicks(ticks), space: 80, stroke: '#333', grid: { stroke: '#e4e4e4' } },
        { values: (self, ticks) => ticks.map((v) => formatNumber(v)), stroke: '#333', grid: { stroke: '#e4e4e4' }, size: 50 },
      ],
      series: [
        { label: t('patient.col.time'), value: (self, v) => (v == null ? '' : fmtFull.format(new Date(v * 1000))) },
        ...series.map((s, i) => ({ label: metricName(s.metric), stroke: COLORS[i], width: 2, spanGaps: true,
          points: { show: times.length < 120, size: 5 }, value: (self, v) => (v == null ? '' : formatNumber(v)) })),
      ],
      hooks: {
        drawClear: [(self) => paintBands(self, shaded)],
        draw: [(self) => { paintLines(self, lines); paintMarks(self, marks); }],
      },
    }, data, plot);
    box.uplot = u; // for tests: positions of values on the canvas
    // Follow the page's width (a phone turned, a window resized): the canvas never overflows its box.
    resize = new ResizeObserver(() => {
      const w = Math.max(280, plot.clientWidth);
      if (Math.abs(w - u.width) > 2) u.setSize({ width: w, height: 220 });
    });
    resize.observe(plot);
  }
  return { box, mount, destroy: () => { resize?.disconnect(); u?.destroy(); } };
}

function dedupe(bands) {
  const best = new Map();
  for (const b of bands) {
    const up = b.op === '>' || b.op === '>=';
    const key = `${b.severity}:${up}`;
    const current = best.get(key);
    if (!current || (up ? b.value < current.value : b.value > current.value)) best.set(key, { ...b, up });
  }
  return [...best.values()].sort((a, b) => (a.severity === 'critical') - (b.severity === 'critical'));
}

function paintBands(u, bands) {
  const { ctx } = u;
  const { left, top, width, height } = u.bbox;
  ctx.save();
  for (const b of bands) {
    const y = u.valToPos(b.value, 'y', true);
    ctx.fillStyle = BAND_FILL[b.severity] || BAND_FILL.warning;
    if (b.up) ctx.fillRect(left, top, width, Math.max(0, y - top));
    else ctx.fillRect(left, y, width, Math.max(0, top + height - y));
  }
  ctx.restore();
}

function paintLines(u, lines) {
  const { ctx } = u;
  const { left, width } = u.bbox;
  ctx.save();
  ctx.lineWidth = 2;
  ctx.setLineDash([6, 4]);
  for (const b of lines) {
    const y = u.valToPos(b.value, 'y', true);
    ctx.strokeStyle = b.severity === 'critical' ? '#a50e0e' : '#b36b00';
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(left + width, y);
    ctx.stroke();
  }
  ctx.restore();
}

function bucketText(iso) {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(iso);
  if (!m) return iso;
  if (m[1]) return t('duration.days', { n: m[1] });
  if (m[2]) return t('duration.hours', { n: m[2] });
  return t('duration.minutes', { n: m[3] });
}

function paintMarks(u, marks) {
  const { ctx } = u;
  const { top, height } = u.bbox;
  ctx.save();
  ctx.strokeStyle = '#a50e0e';
  ctx.fillStyle = '#a50e0e';
  ctx.lineWidth = 2;
  for (const ts of marks) {
    const x = u.valToPos(ts, 'x', true);
    ctx.beginPath();
    ctx.moveTo(x, top + height);
    ctx.lineTo(x, top + height - 12);
    ctx.stroke();
    ctx.beginPath();
    ctx.moveTo(x - 5, top + height);
    ctx.lineTo(x + 5, top + height);
    ctx.lineTo(x, top + height - 8);
    ctx.fill();
  }
  ctx.restore();
}

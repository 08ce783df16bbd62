// The editors' dashboard: reads /admin/api/report for the chosen dates, draws charts with Chart.js
// (served by kb serve from npm's copy) and fills every table; without Chart.js the tables remain.

const COLUMNS = {
  trend: [["day", "日期"], ["searches", "搜索次数"], ["zero_share", "无结果比例", "pct"], ["click_through", "点击率", "pct"]],
  top_queries: [["query", "搜索"], ["count", "次数"], ["results", "结果数"]],
  zero_result_queries: [["query", "搜索"], ["count", "次数"]],
  unclicked_queries: [["query", "搜索"], ["count", "次数"], ["top_id", "第一条结果"]],
  most_read: [["id", "答案"], ["clicks", "点击次数"]],
  feedback: [["id", "答案"], ["helpful", "有帮助"], ["not_helpful", "没帮助"], ["reasons", "没帮助的原因"]],
  gaps: [["queries", "顾客的说法"], ["count", "次数"], ["nearest_id", "最接近的答案"], ["phrasing", "可以加到 phrasings: 的一行"]],
};
const charts = {};

const form = document.getElementById("range");
const statusLine = document.getElementById("status");

function day(offset) {
  const d = new Date(Date.now() + 8 * 3600 * 1000 - offset * 86400 * 1000); // China time
  return d.toISOString().slice(0, 10);
}

function cell(value, kind) {
  if (kind === "pct") return `${(value * 100).toFixed(1)}%`;
  if (Array.isArray(value)) return value.join("、");
  if (value && typeof value === "object") return Object.entries(value).map(([k, v]) => `${k} ${v}`).join("、");
  return value ?? "";
}

function fillTable(name, rows) {
  const table = document.getElementById(name);
  if (!table) return;
  const columns = COLUMNS[name];
  const head = document.createElement("tr");
  for (const [, title] of columns) head.append(Object.assign(document.createElement("th"), { textContent: title }));
  table.replaceChildren(head);
  if (!rows.length) {
    const tr = document.createElement("tr");
    tr.append(Object.assign(document.createElement("td"), { textContent: "（这段时间没有）", className: "empty", colSpan: columns.length }));
    table.append(tr);
    return;
  }
  for (const row of rows) {
    const tr = document.createElement("tr");
    for (const [key, , kind] of columns) {
      const td = document.createElement("td");
      const value = cell(row[key], kind);
      if (key === "phrasing") td.append(Object.assign(document.createElement("code"), { textContent: value }));
      else td.textContent = value;
      if (typeof row[key] === "number") td.className = "n";
      tr.append(td);
    }
    table.append(tr);
  }
}

function draw(id, config) {
  if (!window.Chart) return; // no Chart.js: the tables say it all
  charts[id]?.destroy();
  const canvas = document.getElementById(id);
  canvas.closest(".chart").nextElementSibling?.removeAttribute("open");
  charts[id] = new window.Chart(canvas, { ...config, options: { maintainAspectRatio: false, animation: false, ...config.options } });
}

function render(data) {
  const totalZero = data.trend.reduce((n, d) => n + d.zero_share * d.searches, 0);
  const searches = data.trend.reduce((n, d) => n + d.searches, 0);
  document.getElementById("summary").replaceChildren(
    ...[
      ["搜索", searches],
      ["无结果比例", searches ? `${((totalZero / searches) * 100).toFixed(1)}%` : "—"],
      ["没有结果的说法", data.zero_result_queries.length],
      ["内容缺口", data.gaps.length],
    ].map(([label, value]) => {
      const card = document.createElement("div");
      card.className = "card";
      card.append(label, Object.assign(document.createElement("b"), { textContent: value }));
      return card;
    }),
  );
  for (const name of Object.keys(COLUMNS)) fillTable(name, data[name] || []);
  if (!window.Chart) for (const d of document.querySelectorAll("details")) d.open = true;
  draw("trend-chart", {
    type: "line",
    data: {
      labels: data.trend.map((d) => d.day),
      datasets: [
        { label: "搜索次数", data: data.trend.map((d) => d.searches), yAxisID: "y", borderColor: "#232f3e", backgroundColor: "#232f3e" },
        { label: "无结果比例 %", data: data.trend.map((d) => +(d.zero_share * 100).toFixed(1)), yAxisID: "pct", borderColor: "#cf222e", backgroundColor: "#cf222e" },
        { label: "点击率 %", data: data.trend.map((d) => +(d.click_through * 100).toFixed(1)), yAxisID: "pct", borderColor: "#1a7f37", backgroundColor: "#1a7f37" },
      ],
    },
    options: { scales: { y: { beginAtZero: true, position: "left", ticks: { precision: 0 } }, pct: { beginAtZero: true, max: 100, position: "right", grid: { drawOnChartArea: false } } } },
  });
  const bars = (rows, label, key, value, color) => ({
    type: "bar",
    data: { labels: rows.slice(0, 10).map((r) => r[key]), datasets: [{ label, data: rows.slice(0, 10).map((r) => r[value]), backgroundColor: color, maxBarThickness: 28 }] },
    // Counts are whole numbers: no 0.5 ticks.
    options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  draw("top-chart", bars(data.top_queries, "次数", "query", "count", "#ff9900"));
  draw("read-chart", bars(data.most_read, "点击次数", "id", "clicks", "#0969da"));
  draw("feedback-chart", {
    type: "bar",
    data: {
      labels: data.feedback.map((r) => r.id),
      datasets: [
        { label: "有帮助", data: data.feedback.map((r) => r.helpful), backgroundColor: "#1a7f37", maxBarThickness: 48 },
        { label: "没帮助", data: data.feedback.map((r) => r.not_helpful), backgroundColor: "#cf222e", maxBarThickness: 48 },
      ],
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
  });
}

async function load() {
  const params = new URLSearchParams({ from: form.from.value, to: form.to.value });
  history.replaceState(null, "", `?${params}`);
  for (const link of document.querySelectorAll("a.csv")) link.href = `export/${link.dataset.table}.csv?${params}`;
  statusLine.textContent = "正在读取……";
  const response = await fetch(`api/report?${params}`, { cache: "no-store" });
  const data = await response.json().catch(() => ({}));
  if (response.status === 401) return location.reload(); // the session ended: back to sign-in
  if (!response.ok) {
    statusLine.textContent = [data.error, data.hint].filter(Boolean).join("：") || `读取失败（${response.status}）`;
    return;
  }
  statusLine.textContent = `${data.start} 至 ${data.end}（中国时间）`;
  render(data);
}

const asked = new URLSearchParams(location.search);
form.from.value = asked.get("from") || day(29);
form.to.value = asked.get("to") || day(0);
form.addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});
for (const button of form.querySelectorAll("button[data-days]")) {
  button.addEventListener("click", () => {
    form.from.value = day(Number(button.dataset.days) - 1);
    form.to.value = day(0);
    load();
  });
}
load();

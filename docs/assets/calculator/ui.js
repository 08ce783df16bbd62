// 费用与退款日期计算器：页面部分（读表单、显示结果、同步链接）。计算都在 calc.js 里。
// The page side of the calculator. Imported by assets/kb/main.js on the calculator page and
// initialised through Material's document$, so it works on direct loads and on instant navigation.

// Data files, relative to this module so the site works under any base URL.
const RULES_URL = new URL("../../tools/calculator-rules.json", import.meta.url);
const CALENDAR_URL = new URL("../../tools/workdays.json", import.meta.url);

const TEXT = {
  hint: "填好实付金额后点“计算”，结果会显示在这里。",
  fix: "请先改正上面标出的内容，结果会显示在这里。",
  loading: "正在加载计算规则……",
  broken: "计算器暂时无法使用（规则或日历数据没有加载成功）。可以先看下面的“计算依据”，或联系客服。",
  copied: "链接已复制，可以粘贴发送。",
  selectToCopy: "已选中链接，请按 Ctrl+C（手机上长按）复制。",
  related: "相关说明：",
  assumptions: "这个结果用到的假设",
  switchTo: { return: "改为计算退货", cancel: "改为计算取消订单" },
};

let dataPromise = null;

/**
 * Load the calculation module (calc.js, imported only on the page that has the calculator), the
 * rules and the calendar once (instant navigation keeps them); resolve to {calc, rules, calendar}.
 */
function loadData() {
  if (!dataPromise) {
    const get = (url) =>
      fetch(url).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`${url} ${r.status}`))));
    const parts = [import("./calc.js"), get(RULES_URL), get(CALENDAR_URL)];
    dataPromise = Promise.all(parts).then(([calc, rules, calendar]) => {
      const problems = calc.checkRules(rules);
      if (problems.length) throw new Error(problems.join("；"));
      return { calc, rules, calendar };
    });
    dataPromise.catch(() => {
      dataPromise = null; // try again on the next visit
    });
  }
  return dataPromise;
}

/** Today's date in the shopper's own time zone, as YYYY-MM-DD. */
function localToday() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** Given the form and the calculation's field names, return the values the form holds. */
function readForm(form, fields) {
  const input = {};
  for (const field of fields) {
    const control = form.elements.namedItem(field);
    if (!control) continue;
    if (control instanceof RadioNodeList) input[field] = control.value;
    // A date input holds only valid dates: keep what a link carried, or mark a half-typed date.
    else if (control.value === "" && control.dataset.raw) input[field] = control.dataset.raw;
    else if (control.validity?.badInput) input[field] = "?";
    else input[field] = control.value.trim();
  }
  return input;
}

function writeForm(form, input) {
  for (const [field, value] of Object.entries(input)) {
    const control = form.elements.namedItem(field);
    if (control instanceof RadioNodeList) {
      for (const radio of control) radio.checked = radio.value === value;
    } else if (control) {
      control.value = value;
      if (control.value !== value) control.dataset.raw = value; // e.g. date=2026-02-30 in a link
    }
  }
}

/** The FAQ links of the page's 计算依据 section, by FAQ id: href relative to this page, and the question. */
function faqLinks(root) {
  const links = new Map();
  for (const a of root.querySelectorAll("a[data-faq]"))
    links.set(a.dataset.faq, { href: a.getAttribute("href"), text: a.textContent.trim() });
  return links;
}

function faqParagraph(ids, links, lead = TEXT.related) {
  const anchors = (ids ?? [])
    .filter((id) => links.has(id))
    .map((id) => el("a", { href: links.get(id).href }, links.get(id).text));
  if (!anchors.length) return null;
  const p = el("p", { class: "kb-calc-step__faq" }, lead);
  anchors.forEach((a, i) => p.append(...(i ? ["、", a] : [a])));
  return p;
}

function renderStep(step, links) {
  const when = step.from
    ? el("time", { datetime: step.from === step.to ? step.from : `${step.from}/${step.to}` }, step.when)
    : el("span", {}, step.when);
  return el(
    "li",
    { class: "kb-calc-step", "data-step": step.id },
    el(
      "p",
      { class: "kb-calc-step__title" },
      el("strong", {}, step.title),
      ...step.badges.map((badge) => el("span", { class: "kb-calc-badge" }, badge)),
    ),
    el("p", { class: "kb-calc-step__when" }, when),
    el("p", { class: "kb-calc-step__note" }, step.note),
    step.calendarNote ? el("p", { class: "kb-calc-step__estimate" }, step.calendarNote) : null,
    faqParagraph(step.faq, links),
  );
}

/** The dates are behind today: what to do next, as steps with their FAQ links. */
function renderPast(past, links) {
  return el(
    "div",
    { class: "admonition warning kb-calc-past", "data-result": "past" },
    el("p", {}, past.message),
    el(
      "ol",
      {},
      ...past.steps.map((step) => {
        const faq = faqParagraph(step.faq, links, "见");
        return el("li", {}, step.text, ...(faq ? [...faq.childNodes] : []));
      }),
    ),
  );
}

function renderResult(result, links, onSwitch) {
  if (!result.possible) {
    const button = el("button", { type: "button", class: "md-button md-button--primary" }, TEXT.switchTo[result.switchTo]);
    button.addEventListener("click", () => onSwitch(result.switchTo));
    return [
      el("p", { class: "kb-calc-result__message", "data-result": "not-possible" }, result.message),
      faqParagraph(result.faq, links),
      el("p", {}, button),
    ];
  }
  const fees = el(
    "dl",
    { class: "kb-calc-fees" },
    ...result.fees.flatMap((fee) => [
      el("dt", {}, fee.label),
      el("dd", { "data-fee": fee.id }, el("strong", {}, fee.value), el("br"), el("small", {}, fee.note)),
    ]),
  );
  const refund = el(
    "div",
    { class: "kb-calc-refund" },
    el("p", { class: "kb-calc-refund__label" }, result.action === "cancel" ? "退款金额" : "预计退款金额"),
    el(
      "p",
      { class: `kb-calc-refund__amount${result.refund.fen === null ? " kb-calc-refund__amount--text" : ""}` },
      result.refund.text,
    ),
    el("p", { class: "kb-calc__hint" }, result.refund.note),
  );
  const notes = result.notes.length
    ? el("div", { class: "admonition info kb-calc-notes" }, ...result.notes.map((n) => el("p", {}, n)))
    : null;
  const assumptions = result.assumptions.length
    ? el(
        "div",
        { class: "admonition note kb-calc-assumptions" },
        el("p", { class: "admonition-title" }, TEXT.assumptions),
        el("ul", {}, ...result.assumptions.map((a) => el("li", {}, a))),
      )
    : null;
  return [
    el("p", { class: "kb-calc-result__summary" }, result.summary),
    result.past ? renderPast(result.past, links) : null,
    refund,
    el("h3", {}, "费用"),
    fees,
    el("h3", {}, "时间线"),
    notes,
    assumptions,
    el("ol", { class: "kb-calc-timeline" }, ...result.timeline.map((s) => renderStep(s, links))),
  ];
}

function setError(form, field, message) {
  const box = form.querySelector(`[data-field="${field}"]`);
  const out = form.querySelector(`#kb-calc-${field}-error`);
  if (out.textContent !== message) out.textContent = message;
  box.classList.toggle("kb-calc__field--invalid", Boolean(message));
  for (const control of box.querySelectorAll("input")) {
    if (message) control.setAttribute("aria-invalid", "true");
    else control.removeAttribute("aria-invalid");
  }
}

function showErrors(form, errors, touched) {
  for (const box of form.querySelectorAll("[data-field]")) {
    const field = box.dataset.field;
    setError(form, field, touched.has(field) ? errors[field] ?? "" : "");
  }
}

function showRelevant(calc, form, input, rules) {
  const relevant = calc.relevantFields(input, rules);
  for (const box of form.querySelectorAll("[data-field]"))
    box.hidden = !relevant.includes(box.dataset.field);
}

function shareUrl(calc, input, rules) {
  const query = calc.toQuery(input, rules);
  return `${location.pathname}${query ? `?${query}` : ""}`;
}

/** Show the result (or hide it and point at the errors) for the form's current values. */
function render(view, { updateUrl = false, focusError = false } = {}) {
  const { calc, form, rules, calendar, today, touched } = view;
  const input = readForm(form, calc.FIELDS);
  showRelevant(calc, form, input, rules);
  const result = calc.calculate(input, rules, calendar, today);
  const errors = result.valid ? {} : result.errors;
  showErrors(form, errors, touched);
  const url = shareUrl(calc, input, rules);
  if (updateUrl) history.replaceState(history.state, "", `${url}${location.hash}`);
  if (!result.valid) {
    view.section.hidden = true;
    view.body.replaceChildren();
    view.status.classList.remove("kb-calc-status--done");
    view.status.textContent = touched.size ? TEXT.fix : TEXT.hint;
    const first = calc.FIELDS.find((f) => errors[f] && touched.has(f));
    if (focusError && first) form.querySelector(`[data-field="${first}"] input`)?.focus();
    return;
  }
  const switchTo = (action) => {
    writeForm(form, { action });
    touched.add("action");
    render(view, { updateUrl: true });
  };
  view.body.replaceChildren(...renderResult(result, view.links, switchTo).filter(Boolean));
  view.link.value = new URL(url, location.href).href;
  view.copyStatus.textContent = "";
  view.section.hidden = false;
  // The summary is shown in the result; the status line keeps it for screen readers (role=status).
  view.status.classList.add("kb-calc-status--done");
  view.status.textContent = result.summary;
}

/** Fill the form from the link (or today's date) and wire its events, once the data is loaded. */
function start(view) {
  const { calc, form, rules, calendar, today, touched } = view;
  const bounds = calc.requestDateBounds(rules, calendar, today);
  Object.assign(form.elements.namedItem("date"), { min: bounds.earliest, max: bounds.latest });
  const fromUrl = calc.fromQuery(location.search);
  if (fromUrl.state) fromUrl.state = calc.canonicalState(fromUrl.state, rules);
  writeForm(form, { date: today, ...fromUrl });
  // The rule-dependent hint follows the rules file (the page's text is the no-JavaScript fallback).
  form.querySelector("#kb-calc-reason-hint").textContent = calc.reasonHint(rules);
  if (Object.keys(fromUrl).length) calc.FIELDS.forEach((f) => touched.add(f));

  form.addEventListener("change", (event) => {
    delete event.target.dataset.raw;
    touched.add(event.target.name);
    render(view, { updateUrl: true });
  });
  form.addEventListener("input", (event) => {
    // While typing, only clear a field's message once it is fixed; the result updates on change.
    const field = event.target.name;
    delete event.target.dataset.raw;
    if (!form.querySelector(`[data-field="${field}"]`)?.classList.contains("kb-calc__field--invalid")) return;
    const result = calc.calculate(readForm(form, calc.FIELDS), rules, calendar, today);
    if (result.valid || !result.errors[field]) setError(form, field, "");
  });
  form.addEventListener("submit", () => {
    calc.FIELDS.forEach((f) => touched.add(f));
    render(view, { updateUrl: true, focusError: true });
  });
  view.copy.addEventListener("click", () => copyLink(view.link, view.copyStatus));
  render(view, { updateUrl: touched.size > 0 });
}

/** Set up one calculator form; `root` is the page content it lives in. */
function setUp(form, root) {
  const view = {
    form,
    status: root.querySelector("#kb-calc-status"),
    section: root.querySelector("#kb-calc-result"),
    body: root.querySelector("#kb-calc-result-body"),
    link: root.querySelector("#kb-calc-link"),
    copy: root.querySelector("#kb-calc-copy"),
    copyStatus: root.querySelector("#kb-calc-copy-status"),
    links: faqLinks(root),
    touched: new Set(),
    today: localToday(),
  };
  form.addEventListener("submit", (event) => event.preventDefault()); // never leave the page
  view.status.textContent = TEXT.loading;
  loadData().then(
    (data) => start(Object.assign(view, data)),
    () => {
      view.status.textContent = TEXT.broken;
      form.querySelector('button[type="submit"]').disabled = true;
    },
  );
}

function copyLink(input, out) {
  const done = (message) => {
    out.textContent = message;
  };
  const fallback = () => {
    input.focus();
    input.select();
    done(TEXT.selectToCopy);
  };
  if (navigator.clipboard?.writeText) {
    navigator.clipboard.writeText(input.value).then(() => done(TEXT.copied), fallback);
  } else {
    fallback();
  }
}

/** Initialise the calculator if the current page has one (idempotent: once per form element). */
function init() {
  const form = document.querySelector("form#kb-calc");
  if (!form || form.dataset.ready) return;
  form.dataset.ready = "true";
  setUp(form, form.closest("article") ?? document);
}

if (window.document$) window.document$.subscribe(init);
else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();

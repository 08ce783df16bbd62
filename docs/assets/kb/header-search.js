// Search-as-you-type in Material's header box, answered by the search API.
// When the API is unreachable (the site opened as static files), nothing here runs and
// Material's built-in search keeps working on its own.

import { apiAvailable, recordClick, searchApi, siteUrl, suggestApi } from "./api.js";
import { combobox } from "./combobox.js";
import { el, resultSummary } from "./dom.js";

const DEBOUNCE_MS = 150;
const LIMIT = 8;
const CONTACT = "/contact/#contact-service";

/** Return a link to the customer-service section, for questions the help center can't answer. */
function contactLink() {
  return el("a", { href: siteUrl(CONTACT), class: "kb-contact" }, "联系客服");
}

/** Given a query, return the URL of the agent page that shows all its answers. */
function answerPageUrl(q) {
  return `${siteUrl("/search/")}?q=${encodeURIComponent(q)}`;
}

/** Given the search box and Material's results area, add the API's results panel; return {meta, list, box}. */
function createPanel(input, scrollwrap) {
  // The count is read out politely (a status); the options by the arrow keys (the combobox).
  const meta = el("div", { class: "md-search-result__meta", role: "status" });
  const list = el("ol", { class: "md-search-result__list", role: "listbox", "aria-label": "搜索结果" });
  scrollwrap.append(el("div", { class: "md-search-result kb-search-result" }, meta, list));
  return { meta, list, box: combobox(input, list) };
}

/** Given one result (or suggestion) for query q at a rank, return its list item linking to the answer. */
function resultItem(item, q, rank) {
  // The link is the option: chosen with the arrow keys and Enter, not a tab stop of its own; a <div>,
  // not an <article>, so the option is named by its text (category, question, snippet).
  const link = el(
    "a",
    {
      class: "md-search-result__link kb-search-link",
      role: "option",
      tabindex: "-1",
      href: siteUrl(item.url),
      data: { id: item.id },
    },
    el("div", { class: "md-search-result__article md-typeset" }, ...resultSummary(item, { title: "h1" })),
  );
  link.addEventListener("click", () => recordClick(q, item.id, rank));
  return el("li", { class: "md-search-result__item", role: "none" }, link);
}

/**
 * Given the panel, the query, the API's answer and suggestions, show the answers, else the related
 * questions, else the completions (or why there are none, with the way to customer service).
 */
function renderResults({ meta, list, box }, q, data, suggestions) {
  list.replaceChildren();
  box.refresh();
  const related = data.related || [];
  const items = data.results.length ? data.results : related.length ? related : suggestions;
  if (!q.trim()) {
    meta.textContent = "输入问题，例如：没发货取消要钱吗";
    return;
  }
  if (!items.length) {
    meta.replaceChildren("没有找到相关答案。换个说法试试，或", contactLink(), "。");
    return;
  }
  const lead = data.results.length
    ? `找到 ${data.total} 条答案 · `
    : related.length
      ? "没有完全对应的答案，你可能想问："
      : "你是不是想问：";
  meta.replaceChildren(
    lead,
    el("a", { href: answerPageUrl(q), class: "kb-search-all" }, "在答案页查看全部"),
    ...(data.results.length || !related.length ? [] : [" · ", contactLink()]),
  );
  list.append(...items.map((item, i) => resultItem(item, q, i + 1)));
  box.refresh();
}

/** Given the search box and the panel, return a function that searches (debounced) for what is typed. */
function searchAsYouType(input, panel) {
  let timer = 0;
  let controller = null;
  let lastQuery = null;

  const run = async () => {
    const q = input.value;
    if (q === lastQuery) return;
    lastQuery = q;
    controller?.abort();
    if (!q.trim()) {
      renderResults(panel, q, { results: [], total: 0 }, []);
      return;
    }
    controller = new AbortController();
    const { signal } = controller;
    try {
      const data = await searchApi(q.slice(0, 1000), { limit: LIMIT, signal });
      const suggestions = data.results.length ? [] : (await suggestApi(q, { limit: LIMIT, signal })).suggestions || [];
      if (!signal.aborted) renderResults(panel, q, data, suggestions);
    } catch (error) {
      if (signal.aborted) return;
      // A network failure means the service is gone: show Material's own results, which it kept computing.
      if (error instanceof TypeError) document.body.classList.remove("kb-api");
      else panel.meta.textContent = error.message;
    }
  };
  return () => {
    clearTimeout(timer);
    timer = setTimeout(run, DEBOUNCE_MS);
  };
}

/** Given the search box and what to do on new text, listen for typing (waiting out an input method). */
function listenForTyping(input, schedule) {
  let composing = false;
  const typed = () => {
    if (!composing) schedule(); // an input method still composing Chinese: wait for the characters
  };
  input.addEventListener("compositionstart", () => (composing = true));
  input.addEventListener("compositionend", () => {
    composing = false;
    schedule();
  });
  input.addEventListener("input", typed);
  input.addEventListener("focus", typed);
  input.form?.addEventListener("reset", () => setTimeout(typed));
}

/**
 * Given a keydown, the search box and its combobox: the arrows highlight an option (focus stays in
 * the box), Enter opens the highlighted answer, or the answer page when none is.
 */
function onKeydown(event, input, box) {
  // Escape and Tab stay Material's; arrows and Enter are ours while the API drives the results.
  if (!document.body.classList.contains("kb-api")) return;
  if (!document.getElementById("__search")?.checked || event.isComposing || document.activeElement !== input) return;
  if (event.key === "Enter") {
    event.preventDefault();
    event.stopImmediatePropagation();
    const option = box.chosen();
    if (option) option.click(); // the answer itself, through Material's instant navigation
    else if (input.value.trim()) location.href = answerPageUrl(input.value);
  } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    event.stopImmediatePropagation();
    box.move(event.key === "ArrowDown" ? 1 : -1);
  }
}

/** Given Material's search element, take over its results with the API's; return false if unavailable. */
export async function mountHeaderSearch(root = document.querySelector("[data-md-component=search]")) {
  const input = root?.querySelector("[data-md-component=search-query]");
  const scrollwrap = root?.querySelector(".md-search__scrollwrap");
  if (!input || !scrollwrap || !(await apiAvailable())) return false;
  const panel = createPanel(input, scrollwrap);
  document.body.classList.add("kb-api");
  const schedule = searchAsYouType(input, panel);
  listenForTyping(input, schedule);
  window.addEventListener("keydown", (event) => onKeydown(event, input, panel.box), true);
  if (input.value) schedule();
  return true;
}

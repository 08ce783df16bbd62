// Search-as-you-type in Material's header box, answered by the search API.
// When the API is unreachable (the site opened as static files), nothing here runs and
// Material's built-in search keeps working on its own.

import { apiAvailable, recordClick, recordSearch, searchApi, siteUrl, suggestApi } from "./api.js";
import { combobox } from "./combobox.js";
import { el, resultSummary } from "./dom.js";

// While the shopper types, only completions are asked for (cheap); a full search runs when typing
// pauses or on Enter; the search counts in the editors' report only once it settles: a click on a
// result, Enter (the answer page counts it), a longer pause, or leaving the box.
const SUGGEST_MS = 80;
const SEARCH_MS = 350;
const SETTLE_MS = 1500;
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

/**
 * Given one result (or suggestion) for query q at a rank, and what to do when it is chosen
 * (chosen(q, id, rank)), return its list item linking to the answer.
 */
function resultItem(item, q, rank, chosen) {
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
  link.addEventListener("click", () => chosen(q, item.id, rank));
  return el("li", { class: "md-search-result__item", role: "none" }, link);
}

/**
 * Given the panel, the query, the API's answer and suggestions (and what a click on one does), show
 * the answers, else the related questions, else the completions (or why there are none, with the
 * way to customer service).
 */
function renderResults({ meta, list, box }, q, data, suggestions, chosen) {
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
  list.append(...items.map((item, i) => resultItem(item, q, i + 1, chosen)));
  box.refresh();
}

/**
 * The answers already fetched in this page view, and the queries counted: a question already
 * answered, or the beginning of one (the shopper deleting letters), reuses its answer.
 */
class Answers {
  constructor() {
    this.byQuery = new Map();
    this.counted = new Set();
  }

  /** Given a query, return [query, answer] fetched for it or for a longer question it begins, else null. */
  known(q) {
    if (this.byQuery.has(q)) return [q, this.byQuery.get(q)];
    const longer = [...this.byQuery.keys()].reverse().find((k) => q.trim() && k.startsWith(q));
    return longer ? [longer, this.byQuery.get(longer)] : null;
  }
}

/**
 * Given the search box and the panel, return { schedule, settle, leave }: schedule() on new text
 * (completions at once, the full search when typing pauses), settle() when the shopper has
 * finished (counted once per query and page view), leave() before the answer page opens.
 */
function searchAsYouType(input, panel) {
  const answers = new Answers();
  const timers = { suggest: 0, search: 0, settle: 0 };
  let searching = null;
  let suggesting = null;
  let shown = null; // the query whose results (or completions) are on screen
  let leaving = false;

  const settle = (typed) => {
    clearTimeout(timers.settle);
    const q = answers.known(typed)?.[0] ?? typed; // the question whose answer is on screen
    if (leaving || !q.trim() || answers.counted.has(q)) return;
    answers.counted.add(q);
    recordSearch(q);
  };
  // A click counts its own query (the one these results answer), then the click itself.
  const chosen = (q, id, rank) => {
    settle(q);
    recordClick(q, id, rank);
  };
  const show = (q, data, suggestions) => {
    shown = q;
    renderResults(panel, q, data, suggestions, chosen);
  };

  const runSuggest = async (q) => {
    suggesting?.abort();
    suggesting = new AbortController();
    const { signal } = suggesting;
    const data = await suggestApi(q, { limit: LIMIT, signal }).catch(() => null);
    if (!data?.suggestions?.length || signal.aborted || input.value !== q || answers.byQuery.has(q)) return;
    show(q, { results: [], total: 0 }, data.suggestions);
  };

  const runSearch = async (q) => {
    searching?.abort();
    searching = new AbortController();
    const { signal } = searching;
    try {
      // Not counted here: settling does that.
      const data = await searchApi(q.slice(0, 1000), { limit: LIMIT, signal, record: false });
      const suggestions = data.results.length ? [] : (await suggestApi(q, { limit: LIMIT, signal })).suggestions || [];
      answers.byQuery.set(q, data);
      if (!signal.aborted && input.value === q) show(q, data, suggestions);
    } catch (error) {
      if (signal.aborted) return;
      // A network failure means the service is gone: show Material's own results, which it kept computing.
      if (error instanceof TypeError) document.body.classList.remove("kb-api");
      else panel.meta.textContent = error.message;
    }
  };

  const schedule = () => {
    Object.values(timers).forEach(clearTimeout);
    const q = input.value;
    if (!q.trim()) {
      searching?.abort();
      suggesting?.abort();
      show(q, { results: [], total: 0 }, []);
      return;
    }
    const answered = answers.known(q);
    if (answered) {
      if (shown !== answered[0]) show(answered[0], answered[1], []);
    } else {
      timers.suggest = setTimeout(() => runSuggest(q), SUGGEST_MS);
      timers.search = setTimeout(() => runSearch(q), SEARCH_MS);
    }
    timers.settle = setTimeout(() => settle(q), SETTLE_MS);
  };

  const leave = () => {
    leaving = true; // the answer page runs and counts this search
    clearTimeout(timers.settle);
  };
  return { schedule, settle, leave };
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
function onKeydown(event, input, box, typing) {
  // Escape and Tab stay Material's; arrows and Enter are ours while the API drives the results.
  if (!document.body.classList.contains("kb-api")) return;
  if (!document.getElementById("__search")?.checked || event.isComposing || document.activeElement !== input) return;
  if (event.key === "Enter") {
    event.preventDefault();
    event.stopImmediatePropagation();
    const option = box.chosen();
    if (option) {
      option.click(); // the answer itself, through Material's instant navigation
    } else if (input.value.trim()) {
      typing.leave();
      location.href = answerPageUrl(input.value);
    }
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
  const typing = searchAsYouType(input, panel);
  listenForTyping(input, typing.schedule);
  input.addEventListener("blur", () => typing.settle(input.value)); // leaving the box
  window.addEventListener("keydown", (event) => onKeydown(event, input, panel.box, typing), true);
  if (input.value) typing.schedule();
  return true;
}

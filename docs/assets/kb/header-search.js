// Search-as-you-type in Material's header box, answered by the search API.
// When the API is unreachable (the site opened as static files), nothing here runs and
// Material's built-in search keeps working on its own.

import { apiAvailable, recordClick, recordSearch, searchApi, siteUrl, snippetNodes, suggestApi } from "./api.js";

// While the shopper types, only completions are asked for (cheap); a full search runs when typing
// pauses or on Enter; the search counts in the editors' report only once it settles: a click on a
// result, Enter (the answer page counts it), a longer pause, or leaving the box.
const SUGGEST_MS = 80;
const SEARCH_MS = 350;
const SETTLE_MS = 1500;
const CONTACT = "/contact/#contact-service";

/** Return a link to the customer-service section, for questions the help center can't answer. */
function contactLink() {
  return Object.assign(document.createElement("a"), {
    href: siteUrl(CONTACT),
    textContent: "联系客服",
    className: "kb-contact",
  });
}
const LIMIT = 8;

/** Given Material's search element, take over its results with the API's; return false if unavailable. */
export async function mountHeaderSearch(root = document.querySelector("[data-md-component=search]")) {
  const input = root?.querySelector("[data-md-component=search-query]");
  const scrollwrap = root?.querySelector(".md-search__scrollwrap");
  if (!input || !scrollwrap || !(await apiAvailable())) return false;

  const panel = document.createElement("div");
  panel.className = "md-search-result kb-search-result";
  panel.setAttribute("aria-live", "polite");
  const meta = document.createElement("div");
  meta.className = "md-search-result__meta";
  const list = document.createElement("ol");
  list.className = "md-search-result__list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "搜索结果");
  panel.append(meta, list);
  scrollwrap.append(panel);
  document.body.classList.add("kb-api");

  let suggestTimer = 0;
  let searchTimer = 0;
  let settleTimer = 0;
  let composing = false;
  let searching = null;
  let suggesting = null;
  let shown = null; // the query whose results (or completions) are on screen
  let leaving = false;
  const answers = new Map(); // query → full answer, for this page view
  const recorded = new Set(); // queries already counted in this page view

  /** Given a query, return [query, answer] already fetched for it or for a longer question it begins. */
  const known = (q) => {
    if (answers.has(q)) return [q, answers.get(q)];
    const longer = [...answers.keys()].reverse().find((k) => k.startsWith(q) && q.trim());
    return longer ? [longer, answers.get(longer)] : null;
  };

  const fallBack = () => {
    // The API stopped answering: show Material's own results, which it kept computing.
    document.body.classList.remove("kb-api");
  };

  /** Count `q` as a search the shopper meant (once per page view). */
  const settle = (q) => {
    clearTimeout(settleTimer);
    if (leaving || !q.trim() || recorded.has(q)) return;
    recorded.add(q);
    recordSearch(q);
  };

  const render = (q, data, suggestions) => {
    list.replaceChildren();
    const related = data.related || [];
    const items = data.results.length ? data.results : related.length ? related : suggestions;
    if (!q.trim()) {
      meta.textContent = "输入问题，例如：没发货取消要钱吗";
      return;
    }
    if (!items.length) {
      meta.replaceChildren(
        document.createTextNode("没有找到相关答案。换个说法试试，或"),
        contactLink(),
        document.createTextNode("。"),
      );
      return;
    }
    const lead = data.results.length
      ? `找到 ${data.total} 条答案 · `
      : related.length
        ? "没有完全对应的答案，你可能想问："
        : "你是不是想问：";
    meta.replaceChildren(
      document.createTextNode(lead),
      Object.assign(document.createElement("a"), {
        href: `${siteUrl("/search/")}?q=${encodeURIComponent(q)}`,
        textContent: "在答案页查看全部",
        className: "kb-search-all",
      }),
      ...(data.results.length || !related.length ? [] : [document.createTextNode(" · "), contactLink()]),
    );
    items.forEach((item, i) => {
      const li = document.createElement("li");
      li.className = "md-search-result__item";
      li.setAttribute("role", "option");
      const a = document.createElement("a");
      a.className = "md-search-result__link kb-search-link";
      a.href = siteUrl(item.url);
      a.dataset.id = item.id;
      a.addEventListener("click", () => {
        settle(q); // the click's own query: the one these results answer
        recordClick(q, item.id, i + 1);
      });
      const article = document.createElement("article");
      article.className = "md-search-result__article md-typeset";
      const title = document.createElement("h1");
      title.textContent = item.title;
      article.append(title);
      if (item.snippet) {
        const p = document.createElement("p");
        p.append(snippetNodes(item.snippet));
        article.append(p);
      }
      if (item.category) {
        const tag = document.createElement("span");
        tag.className = "kb-category";
        tag.textContent = item.category;
        article.prepend(tag);
      }
      a.append(article);
      li.append(a);
      list.append(li);
    });
  };

  const show = (q, data, suggestions) => {
    shown = q;
    render(q, data, suggestions);
  };

  /** Completions while typing: no search is run or counted. */
  const runSuggest = async (q) => {
    suggesting?.abort();
    suggesting = new AbortController();
    const { signal } = suggesting;
    const data = await suggestApi(q, { limit: LIMIT, signal }).catch(() => null);
    if (!data?.suggestions?.length || signal.aborted || input.value !== q || answers.has(q)) return;
    show(q, { results: [], total: 0 }, data.suggestions);
  };

  /** The full search, once typing pauses (not counted: settling does that). */
  const runSearch = async (q) => {
    searching?.abort();
    searching = new AbortController();
    const { signal } = searching;
    try {
      const data = await searchApi(q.slice(0, 1000), { limit: LIMIT, signal, record: false });
      const suggestions = data.results.length ? [] : (await suggestApi(q, { limit: LIMIT, signal })).suggestions || [];
      answers.set(q, data);
      if (!signal.aborted && input.value === q) show(q, data, suggestions);
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof TypeError) fallBack(); // network failure: the service is gone
      else meta.textContent = error.message;
    }
  };

  const schedule = () => {
    if (composing) return; // an input method is still composing Chinese: wait for the characters
    clearTimeout(suggestTimer);
    clearTimeout(searchTimer);
    clearTimeout(settleTimer);
    const q = input.value;
    if (!q.trim()) {
      searching?.abort();
      suggesting?.abort();
      show(q, { results: [], total: 0 }, []);
      return;
    }
    const answered = known(q);
    if (answered) {
      // A question already answered, or the beginning of one: its answer, without asking again.
      if (shown !== answered[0]) show(answered[0], answered[1], []);
    } else {
      suggestTimer = setTimeout(() => runSuggest(q), SUGGEST_MS);
      searchTimer = setTimeout(() => runSearch(q), SEARCH_MS);
    }
    settleTimer = setTimeout(() => settle(q), SETTLE_MS);
  };

  input.addEventListener("compositionstart", () => (composing = true));
  input.addEventListener("compositionend", () => {
    composing = false;
    schedule();
  });
  input.addEventListener("input", schedule);
  input.addEventListener("focus", schedule);
  input.addEventListener("blur", () => settle(input.value)); // leaving the box
  input.form?.addEventListener("reset", () => setTimeout(schedule));

  // Arrow keys and Enter are ours while the API drives the results; Escape and Tab stay Material's.
  window.addEventListener(
    "keydown",
    (event) => {
      if (!document.body.classList.contains("kb-api")) return;
      const toggle = document.getElementById("__search");
      if (!toggle?.checked || event.isComposing) return;
      const links = [...list.querySelectorAll("a.kb-search-link")];
      const active = document.activeElement;
      if (event.key === "Enter" && active === input) {
        event.preventDefault();
        event.stopImmediatePropagation();
        if (input.value.trim()) {
          leaving = true; // the answer page runs and counts this search
          clearTimeout(settleTimer);
          location.href = `${siteUrl("/search/")}?q=${encodeURIComponent(input.value)}`;
        }
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        event.stopImmediatePropagation();
        const order = [input, ...links];
        const at = Math.max(0, order.indexOf(active));
        const next = order[(at + (event.key === "ArrowDown" ? 1 : order.length - 1)) % order.length];
        next.focus();
      }
    },
    true,
  );

  if (input.value) schedule();
  return true;
}

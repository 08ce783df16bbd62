// The answer page for support agents (/search/?q=…): full results with a category filter,
// answers expandable in place, "复制答案" and "复制链接", the count and the time taken.

import { chatAnswer } from "./answer-text.js";
import { apiAvailable, apiUrl, recordClick, searchApi, siteUrl } from "./api.js";
import { el, resultSummary } from "./dom.js";

/** Given the page, return the query and category the page was opened with (the URL is the state). */
function initialState() {
  // The page's head script moved ?q= aside before Material could open its own search with it.
  const stashed = window.__kbAgentQuery;
  const params = new URLSearchParams(location.search);
  return {
    q: stashed?.q ?? params.get("q") ?? "",
    category: stashed?.category ?? params.get("category") ?? "",
  };
}

/** Given the query and category, put them in the address bar so the page can be linked to. */
function writeState(q, category) {
  const url = new URL(location.href);
  url.search = "";
  if (q) url.searchParams.set("q", q);
  if (category) url.searchParams.set("category", category);
  history.replaceState(history.state, "", url);
}

/** Given text (or a promise of it), put it on the clipboard; resolve to true on success. */
async function copyText(text) {
  try {
    // A ClipboardItem takes the promise itself, so the click's permission to write survives the wait.
    const blob = Promise.resolve(text).then((t) => new Blob([t], { type: "text/plain" }));
    await navigator.clipboard.write([new ClipboardItem({ "text/plain": blob })]);
    return true;
  } catch {
    try {
      await navigator.clipboard.writeText(await text);
      return true;
    } catch {
      return false;
    }
  }
}

/** Given a sentence, read it out politely through the page's announcer (made once). */
function announce(text) {
  let line = document.querySelector("#kb-agent .kb-agent__announce");
  if (!line) {
    line = el("p", { class: "kb-agent__announce kb-visually-hidden", role: "status" });
    document.getElementById("kb-agent")?.append(line);
  }
  line.textContent = ""; // the same sentence twice is still news
  setTimeout(() => (line.textContent = text), 50);
}

/**
 * Given a label, what it copies (for screen readers) and what copying does (resolving to success),
 * return a copy button that says how it went, on the button and out loud.
 */
function copyButton(label, what, copy) {
  const b = el("button", { type: "button", class: "md-button kb-agent__copy" }, label);
  b.addEventListener("click", async () => {
    const ok = await copy();
    b.textContent = ok ? "已复制 ✓" : "复制失败，请手动选择文字";
    announce(ok ? `已复制${what}` : "复制失败，请手动选择文字");
    setTimeout(() => (b.textContent = label), 2000);
  });
  return b;
}

/** Given one API result and its rank, return the expandable list item for it. */
function resultItem(item, rank, query) {
  const url = siteUrl(item.url);
  const link = el("a", { href: url }, url);
  link.addEventListener("click", () => recordClick(query, item.id, rank));
  const copyAnswer = copyButton("复制答案", `“${item.title}”的答案和链接`, () => {
    recordClick(query, item.id, rank);
    // From the page itself (step numbers, link URLs); the API's plain answer if that fails.
    const plain = `${item.title}\n${item.answer || ""}\n\n${url}`;
    return copyText(chatAnswer(item.title, url).catch(() => plain));
  });
  return el(
    "li",
    { class: "kb-agent__result", data: { id: item.id } },
    el(
      "details",
      {},
      el("summary", {}, ...resultSummary(item, { snippetClass: "kb-agent__snippet" })),
      el(
        "div",
        { class: "kb-agent__answer" },
        el("p", { class: "kb-agent__answer-text" }, item.answer || ""),
        link,
        el("div", { class: "kb-agent__actions" }, copyAnswer, copyButton("复制链接", `“${item.title}”的链接`, () => copyText(url))),
      ),
    ),
  );
}

/** Given a heading text, return a list item that heads a group of answers. */
function groupHeading(text) {
  const li = document.createElement("li");
  li.className = "kb-agent__group";
  li.setAttribute("role", "presentation");
  const h = document.createElement("h3");
  h.textContent = text;
  li.append(h);
  return li;
}

/** Given a related question (no confident answer), return a list item linking to it. */
function relatedItem(item) {
  const li = document.createElement("li");
  li.className = "kb-agent__related";
  li.dataset.id = item.id;
  const a = document.createElement("a");
  a.href = siteUrl(item.url);
  a.textContent = item.title;
  li.append(a);
  return li;
}

/** Return the list item pointing to customer service, for questions the pages can't answer. */
function contactItem() {
  const li = document.createElement("li");
  li.className = "kb-agent__related kb-agent__contact";
  const a = document.createElement("a");
  a.href = siteUrl("/contact/#contact-service");
  a.textContent = "都不是？联系客服";
  li.append(a);
  return li;
}

/** Mount the agent page inside `root` (the #kb-agent element); return false when it is not there. */
export async function mountAgentPage(root = document.getElementById("kb-agent")) {
  if (!root || root.dataset.mounted) return false;
  root.dataset.mounted = "1";
  const form = root.querySelector("form");
  const input = form.elements.q;
  const select = form.elements.category;
  const status = root.querySelector(".kb-agent__status");
  const list = root.querySelector(".kb-agent__results");

  if (!(await apiAvailable())) {
    status.textContent = "答案页需要搜索服务（kb serve）。现在是静态站点：请用右上角的搜索框查找答案。";
    form.hidden = true;
    return false;
  }
  // The categories come with /api/health; the page's own question need not wait for them.
  const health = fetch(apiUrl("api/health")).then((r) => r.json()).catch(() => ({}));
  const state = initialState();
  input.value = state.q;
  let controller = null;

  const run = async (category = select.value) => {
    const q = input.value.trim();
    writeState(q, category);
    controller?.abort();
    list.replaceChildren();
    if (!q) {
      status.textContent = "输入顾客的问题，按回车搜索。";
      return;
    }
    controller = new AbortController();
    status.textContent = "正在搜索…";
    try {
      const data = await searchApi(q, { limit: 20, category, signal: controller.signal });
      const related = data.related || [];
      status.textContent = data.total
        ? `找到 ${data.total} 条答案（用时 ${data.took_ms} 毫秒）`
        : related.length
          ? `没有完全对应的答案，你可能想问…（用时 ${data.took_ms} 毫秒）`
          : `没有找到答案（用时 ${data.took_ms} 毫秒）。换个说法，或去掉分类筛选再试。`;
      const rank = new Map(data.results.map((item, i) => [item.id, i + 1]));
      const byId = new Map(data.results.map((item) => [item.id, item]));
      const shown = new Set();
      // A message with several questions: each question's answers under it, then the rest.
      for (const [n, question] of (data.questions || []).entries()) {
        list.append(groupHeading(`问题 ${n + 1}：${question.text}`));
        for (const id of question.ids) {
          if (!byId.has(id) || shown.has(id)) continue;
          shown.add(id);
          list.append(resultItem(byId.get(id), rank.get(id), q));
        }
      }
      const rest = data.results.filter((item) => !shown.has(item.id));
      if (shown.size && rest.length) list.append(groupHeading("其他相关答案"));
      rest.forEach((item) => list.append(resultItem(item, rank.get(item.id), q)));
      if (!data.results.length && related.length) {
        related.forEach((item) => list.append(relatedItem(item)));
        list.append(contactItem());
      }
      list.querySelector("details")?.setAttribute("open", "");
    } catch (error) {
      if (!controller.signal.aborted) status.textContent = error.message;
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  select.addEventListener("change", () => run());
  if (state.q) run(state.category);
  else status.textContent = "输入顾客的问题，按回车搜索。";
  for (const name of (await health).categories || []) {
    select.append(new Option(name, name));
  }
  select.value = state.category;
  return true;
}

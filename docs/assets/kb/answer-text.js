// 复制答案: an FAQ answer as chat-ready plain text, read from the answer's own page, so steps keep
// their numbers, links keep their URLs and admonition titles stay a line of their own.

const SKIP = ".headerlink, .kb-feedback, .kb-contact, .kb-updated, [data-search-exclude], script, style, form";

/** Given an inline node and the page's URL, return its text; a link becomes "text（full URL）". */
export function inlineText(node, base) {
  if (node.nodeType === Node.TEXT_NODE) return node.data.replace(/\s+/g, " ");
  if (node.nodeType !== Node.ELEMENT_NODE || node.matches(SKIP)) return "";
  if (node.tagName === "BR") return "\n";
  const text = [...node.childNodes].map((child) => inlineText(child, base)).join("");
  if (node.tagName !== "A" || !node.getAttribute("href")) return text;
  const url = new URL(node.getAttribute("href"), base).href;
  const label = text.trim();
  return !label || label === url ? url : `${label}（${url}）`;
}

/** Given the block elements of an answer and the page's URL, return its lines of chat text. */
export function blockLines(nodes, base) {
  const lines = [];
  for (const node of nodes) {
    if (node.nodeType !== Node.ELEMENT_NODE || node.matches(SKIP)) continue;
    const tag = node.tagName;
    if (tag === "OL") {
      const start = Number(node.getAttribute("start") || 1);
      [...node.children].forEach((li, i) => lines.push(`${start + i}. ${itemText(li, base)}`));
    } else if (tag === "UL") {
      for (const li of node.children) lines.push(`- ${itemText(li, base)}`);
    } else if (tag === "TABLE") {
      for (const row of node.querySelectorAll("tr"))
        lines.push([...row.children].map((cell) => inlineText(cell, base).trim()).join(" | "));
    } else if (node.matches(".admonition, details")) {
      const title = node.querySelector(":scope > .admonition-title, :scope > summary");
      if (title) lines.push(inlineText(title, base).trim());
      lines.push(...blockLines([...node.children].filter((c) => c !== title), base));
    } else if (tag === "DIV" || tag === "SECTION") {
      lines.push(...blockLines(node.children, base));
    } else {
      lines.push(inlineText(node, base).trim());
    }
  }
  return lines.filter((line) => line !== "");
}

function itemText(li, base) {
  // A loose list item holds paragraphs (or a nested list): keep them on the item's line.
  if (![...li.children].some((c) => c.matches("p, ul, ol, div"))) return inlineText(li, base).trim();
  return blockLines(li.children, base).join(" ");
}

/** Given a page document and an FAQ id, return the answer's block elements (the heading's section). */
export function answerNodes(doc, id) {
  const heading = doc.getElementById(id);
  const nodes = [];
  for (let node = heading?.nextElementSibling; node && !/^H[12]$/.test(node.tagName); node = node.nextElementSibling)
    nodes.push(node);
  return nodes;
}

/** Given the question, the answer's full URL (with #id), resolve to its chat text: question, answer, deep link. */
export async function chatAnswer(question, url) {
  const page = new URL(url);
  const response = await fetch(page.href.replace(/#.*$/, ""));
  if (!response.ok) throw new Error(`${response.status}`);
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  const lines = blockLines(answerNodes(doc, decodeURIComponent(page.hash.slice(1))), page.href);
  if (!lines.length) throw new Error("no answer on the page");
  return [question, ...lines, "", url].join("\n");
}

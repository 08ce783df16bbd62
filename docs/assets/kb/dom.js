// The one way the help center's own scripts build elements, and show what a search result is.
// Text always goes in as text: nothing here ever parses a string as HTML (except snippets, below).

/** Given a tag, attributes and children (nodes or text; null is skipped), return the new element. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "data") Object.assign(node.dataset, value);
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

/** Given an API snippet (escaped text with <mark>), return DOM nodes: text and <mark> only, never markup. */
export function snippetNodes(snippet) {
  const template = document.createElement("template");
  template.innerHTML = snippet; // a template's content is inert: no script runs, no image loads
  const fragment = document.createDocumentFragment();
  for (const node of template.content.childNodes) {
    fragment.append(node.nodeName === "MARK" ? el("mark", {}, node.textContent) : document.createTextNode(node.textContent));
  }
  return fragment;
}

/**
 * Given an API result, return its category tag, title and highlighted snippet, in that order: how
 * the header's results and the agent page show an answer. `title` is the title's tag.
 */
export function resultSummary(item, { title = "strong", snippetClass = "" } = {}) {
  return [
    item.category ? el("span", { class: "kb-category" }, item.category) : null,
    el(title, {}, item.title),
    item.snippet ? el("p", snippetClass ? { class: snippetClass } : {}, snippetNodes(item.snippet)) : null,
  ].filter(Boolean);
}

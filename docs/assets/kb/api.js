// The help center's search service, seen from the browser. Every function here is safe to call
// when the site is opened as static files: callers get `null` / `false` and fall back.

const HEALTH_TIMEOUT_MS = 1500;

/** A random id for this page view: ties its searches, clicks and votes together (nothing about who). */
export const VIEW = [...crypto.getRandomValues(new Uint8Array(8))].map((b) => b.toString(16).padStart(2, "0")).join("");

/** Given a path like "api/search", return its absolute URL on this site (works under any base path). */
export function apiUrl(path, params = {}) {
  const url = new URL(path, siteRoot());
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
  }
  return url;
}

let root = null;

/**
 * Return the site root URL, derived from Material's config (its `base` is relative to the page).
 * Worked out once, on the page the scripts loaded with: during instant navigation the address
 * changes before Material swaps in the new page's config, and the two would not match.
 */
export function siteRoot() {
  if (root) return root;
  const config = document.querySelector("#__config");
  let base = ".";
  try {
    base = JSON.parse(config?.textContent || "{}").base || ".";
  } catch {
    /* keep "." */
  }
  root = new URL(base.endsWith("/") ? base : `${base}/`, location.href).href;
  return root;
}

let healthy = null;

/**
 * Resolve to true when this site is served with the search API (asked once per page load).
 * The built site carries assets/kb/service.json saying {"api": false}; `kb serve` answers the same
 * URL with {"api": true}. So a static copy never calls a missing API (no 404s in the console).
 */
export function apiAvailable() {
  if (healthy) return healthy;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), HEALTH_TIMEOUT_MS);
  healthy = fetch(apiUrl("assets/kb/service.json"), { signal: controller.signal, cache: "no-store" })
    .then((r) => (r.ok ? r.json() : {}))
    .then((data) => data.api === true)
    .catch(() => false)
    .finally(() => clearTimeout(timer));
  return healthy;
}

/**
 * Given a query and options, resolve to the API's JSON; throw an Error with the server's message.
 * `record: false` asks for an answer that is not counted (the shopper is still typing).
 */
export async function searchApi(q, { limit = 10, category = "", signal, record = true } = {}) {
  const params = { q, limit, category, view: VIEW, record: record ? undefined : 0 };
  const response = await fetch(apiUrl("api/search", params), { signal });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `搜索服务出错（${response.status}）`);
  return data;
}

/** Given a prefix, resolve to question completions ({suggestions: [...]}); empty on failure. */
export async function suggestApi(q, { limit = 8, signal } = {}) {
  const response = await fetch(apiUrl("api/suggest", { q, limit }), { signal });
  if (!response.ok) return { suggestions: [] };
  return response.json();
}

/** Record that the shopper settled on a query (it counts in the report); survives leaving the page. */
export function recordSearch(q) {
  fetch(apiUrl("api/search", { q: q.slice(0, 1000), limit: 1, view: VIEW }), { keepalive: true }).catch(() => {});
}

/** Record a click on a result without delaying the navigation. */
export function recordClick(query, id, rank) {
  const body = JSON.stringify({ query, id, rank, view: VIEW });
  const url = apiUrl("api/click");
  if (!(navigator.sendBeacon && navigator.sendBeacon(url, new Blob([body], { type: "application/json" })))) {
    fetch(url, { method: "POST", body, headers: { "Content-Type": "application/json" }, keepalive: true }).catch(() => {});
  }
}

/** Post answer feedback; resolve to null on success or the server's error message. */
export async function sendFeedback(payload) {
  try {
    const response = await fetch(apiUrl("api/feedback"), {
      method: "POST",
      body: JSON.stringify({ ...payload, view: VIEW }),
      headers: { "Content-Type": "application/json" },
    });
    if (response.ok) return null;
    const data = await response.json().catch(() => ({}));
    return [data.error, data.hint].filter(Boolean).join("：") || `提交失败（${response.status}）`;
  } catch {
    return "无法连接服务器，请稍后再试";
  }
}

/** Given a site-relative URL like /cancel/#cancel-fee, return it resolved against the site root. */
export function siteUrl(url) {
  return new URL(url.replace(/^\//, ""), siteRoot()).href;
}

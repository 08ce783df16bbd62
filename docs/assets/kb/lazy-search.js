// Material's built-in search, started when a shopper first uses the search box instead of on
// every page load.
//
// Material starts its search worker as each page loads: the worker builds the whole site's
// index in the browser, about 130 ms of CPU per page load on a laptop-class core, though most
// visits never search and, with the search service up, the service answers. This module runs
// just before Material's deferred bundle (in document order). It gives Material a stand-in for
// that one worker. The stand-in keeps what Material says to it and starts the real worker when
// focus first enters the search box (a click, a tap on the search icon, Material's / and S keys)
// or when the address asks for a search (?q=). The header search's fallback to Material's
// results, when the service goes away, starts from a focused box and so still has them.

(() => {
  const RealWorker = window.Worker;
  if (typeof RealWorker !== "function" || typeof EventTarget !== "function") return;
  const SEARCH_WORKER = /\/workers\/search\.[^/]*js$/;
  const waiting = new Set();
  let wanted = new URLSearchParams(location.search).has("q");

  /** Start every stand-in's real worker (once): the shopper is about to search. */
  function startSearch() {
    wanted = true;
    for (const worker of waiting) worker.start();
    waiting.clear();
  }

  /** Stands in for Material's search worker: the same messages, the real worker started on demand. */
  class SearchWorker extends EventTarget {
    #url;
    #options;
    #real = null;
    #said = [];

    constructor(url, options) {
      super();
      this.#url = url;
      this.#options = options;
      if (wanted) this.start();
      else waiting.add(this);
    }

    postMessage(...message) {
      if (this.#real) this.#real.postMessage(...message);
      else this.#said.push(message);
    }

    terminate() {
      waiting.delete(this);
      this.#real?.terminate();
      this.#said = [];
    }

    start() {
      if (this.#real) return;
      this.#real = new RealWorker(this.#url, this.#options);
      // Material listens with addEventListener: what the real worker says reaches it from here.
      this.#real.addEventListener("message", (e) => this.dispatchEvent(new MessageEvent("message", e)));
      this.#real.addEventListener("messageerror", (e) => this.dispatchEvent(new MessageEvent("messageerror", e)));
      this.#real.addEventListener("error", (e) => this.dispatchEvent(new ErrorEvent("error", e)));
      for (const message of this.#said) this.#real.postMessage(...message);
      this.#said = [];
    }
  }

  /** Given a worker's URL (and options), return Material's search worker as a stand-in, any other as it is. */
  function Worker(url, options) {
    return SEARCH_WORKER.test(String(url)) ? new SearchWorker(url, options) : new RealWorker(url, options);
  }
  Worker.prototype = RealWorker.prototype;
  window.Worker = Worker;

  document.addEventListener(
    "focusin",
    (event) => {
      if (!wanted && event.target instanceof Element && event.target.closest(".md-search")) startSearch();
    },
    true,
  );
})();

// Entry point of the help center's own browser code: a deferred module on every page.
// Only the header's parts load with it; the agent page, the feedback widget and the calculator
// (its rules and working-day calendar) are fetched on the pages that have them.

import { mountMenuButton, mountPaletteSwitch, mountScrollLockAnchor, mountSkipLink } from "./header.js";
import { mountHeaderSearch } from "./header-search.js";

mountHeaderSearch();
mountMenuButton();
mountPaletteSwitch();
mountSkipLink();
mountScrollLockAnchor();

/** Run the per-page parts on the first load and after every instant navigation. */
function onPage() {
  if (document.getElementById("kb-agent")) import("./agent.js").then((m) => m.mountAgentPage());
  if (document.querySelector(".md-content .kb-feedback-enabled")) {
    import("./feedback.js").then((m) => m.mountFeedback());
  }
  // ui.js initialises itself (and on later instant navigations) once imported.
  if (document.getElementById("kb-calc")) import("../calculator/ui.js");
}

if (window.document$?.subscribe) window.document$.subscribe(onPage);
else onPage();

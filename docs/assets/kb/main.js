// Entry point of the help center's own browser code, loaded on every page as a module.

import { mountAgentPage } from "./agent.js";
import { mountFeedback } from "./feedback.js";
import { mountMenuButton, mountPaletteSwitch, mountSkipLink } from "./header.js";
import { mountHeaderSearch } from "./header-search.js";

mountHeaderSearch();
mountMenuButton();
mountPaletteSwitch();
mountSkipLink();

/** Run the per-page parts on the first load and after every instant navigation. */
function onPage() {
  mountAgentPage();
  if (document.querySelector(".md-content .kb-feedback-enabled")) mountFeedback();
}

if (window.document$?.subscribe) window.document$.subscribe(onPage);
else onPage();

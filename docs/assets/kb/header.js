// The header's controls for keyboard and screen-reader users (overrides/partials/header.html and
// palette.html): Material's menu icon is a <label> no keyboard can press (our header has a button
// in its place), and its palette radios never say which scheme is on.

/** Wire the menu button: it opens or closes the drawer, Escape closes it; return false if absent. */
export function mountMenuButton(doc = document) {
  const button = doc.querySelector("button.kb-menu-button");
  const toggle = doc.getElementById("__drawer");
  if (!button || !toggle || button.dataset.mounted) return false;
  button.dataset.mounted = "1";
  const sync = () => button.setAttribute("aria-expanded", String(toggle.checked));
  // Clicking the checkbox toggles it and fires its change event, on which Material opens the drawer.
  button.addEventListener("click", () => toggle.click());
  doc.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !toggle.checked) return;
    toggle.click();
    button.focus(); // back to where the shopper opened it
  });
  toggle.addEventListener("change", sync);
  sync();
  return true;
}

/** Keep the palette radios' checked state on the scheme in use (Material only swaps their labels). */
export function mountPaletteSwitch(doc = document) {
  const radios = [...doc.querySelectorAll('[data-md-component="palette"] input.md-option')];
  if (!radios.length) return false;
  const sync = () => {
    // Material sets the body's scheme after the change event: read it once it has.
    setTimeout(() => {
      for (const radio of radios) radio.checked = radio.dataset.mdColorScheme === doc.body.dataset.mdColorScheme;
    });
  };
  radios.forEach((radio) => radio.addEventListener("change", sync));
  sync();
  return true;
}

/** Make the skip link move the keyboard focus, not just the scroll, to the page's content. */
export function mountSkipLink(doc = document) {
  if (doc.documentElement.dataset.kbSkip) return false;
  doc.documentElement.dataset.kbSkip = "1";
  // Delegated and in the capture phase: Material swaps the skip link in on every instant
  // navigation, and its own click handling reloads the page's content, dropping the focus.
  doc.addEventListener(
    "click",
    (event) => {
      const link = event.target.closest?.("a.md-skip");
      const target = link && doc.getElementById(decodeURIComponent(new URL(link.href).hash.slice(1)));
      if (!target) return;
      event.preventDefault();
      event.stopPropagation();
      history.pushState(history.state, "", link.hash); // a hashchange would make Material drop the focus
      target.setAttribute("tabindex", "-1"); // a heading takes focus only when told to
      target.focus({ preventScroll: true });
      const header = doc.querySelector(".md-header")?.getBoundingClientRect().bottom ?? 0;
      window.scrollBy(0, target.getBoundingClientRect().top - header - 8); // just under the sticky header
    },
    true,
  );
  return true;
}

/**
 * Keep an answer opened from the search in view on a phone. While Material's search is open there
 * it locks the page's scroll (`data-md-scrolllock`); an answer opened from it (instant navigation
 * to `page/#id`) arrives while the page cannot scroll, and the unlock 100 ms later does not go to
 * the anchor: the shopper would land at the top of the page. Once unlocked on a new address with
 * an anchor, scroll to it.
 */
export function mountScrollLockAnchor(body = document.body) {
  let lockedAt = null;
  new MutationObserver(() => {
    if (body.hasAttribute("data-md-scrolllock")) {
      lockedAt = location.href;
    } else if (lockedAt !== null) {
      const moved = location.href !== lockedAt;
      lockedAt = null;
      const target = moved && location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (target) target.scrollIntoView();
    }
  }).observe(body, { attributes: true, attributeFilter: ["data-md-scrolllock"] });
}

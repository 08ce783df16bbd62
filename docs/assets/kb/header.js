// The header's controls for keyboard and screen-reader users (overrides/partials/header.html and
// palette.html): Material's menu icon is a <label> no keyboard can press, and its palette radios
// never say which scheme is on.

/** Wire the menu button: Enter or Space opens or closes the drawer, Escape closes it; return false if absent. */
export function mountMenuButton(doc = document) {
  const button = doc.querySelector('label[for="__drawer"][role="button"]');
  const toggle = doc.getElementById("__drawer");
  if (!button || !toggle || button.dataset.mounted) return false;
  button.dataset.mounted = "1";
  const sync = () => button.setAttribute("aria-expanded", String(toggle.checked));
  button.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault();
    event.stopPropagation(); // Material's own shortcut clicks a focused label on Enter: once is enough
    button.click(); // the label toggles the checkbox; Material opens the drawer on its change
  });
  doc.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !toggle.checked) return;
    button.click();
    button.focus(); // back to where the shopper opened it
  });
  toggle.addEventListener("change", sync);
  button.addEventListener("click", () => setTimeout(sync));
  sync();
  return true;
}

/** Keep the palette radios' checked state on the scheme in use (Material only swaps their labels). */
export function mountPaletteSwitch(doc = document) {
  const radios = [...doc.querySelectorAll('form[data-md-component="palette"] input.md-option')];
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

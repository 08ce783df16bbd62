// The ARIA combobox pattern for the header search (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/):
// the keyboard focus stays in the search box while the arrow keys move a highlighted option;
// aria-activedescendant tells screen readers which one, and aria-expanded whether there are any.

/**
 * Given the search box and its listbox of [role=option] elements, make them one combobox; return
 * { refresh, move, chosen }: refresh() after the options change, move(±1) on an arrow key,
 * chosen() the highlighted option (or null while the box itself is current).
 */
export function combobox(input, listbox) {
  listbox.id ||= "kb-search-listbox";
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", listbox.id);
  input.setAttribute("aria-expanded", "false");
  let active = -1;

  const options = () => [...listbox.querySelectorAll("[role=option]")];

  const show = () => {
    const all = options();
    all.forEach((option, i) => {
      option.id ||= `${listbox.id}-${i}`;
      option.setAttribute("aria-selected", String(i === active));
      option.classList.toggle("kb-option--active", i === active);
    });
    if (all[active]) {
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  };

  return {
    refresh() {
      active = -1;
      input.setAttribute("aria-expanded", String(options().length > 0));
      show();
    },
    move(step) {
      const count = options().length;
      if (!count) return;
      // Past either end the box itself is current again (-1), as in the arrow keys' old order.
      active = ((active + 1 + step + count + 1) % (count + 1)) - 1;
      show();
    },
    chosen() {
      return options()[active] ?? null;
    },
  };
}

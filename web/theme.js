// Light or dark: the system's choice (prefers-color-scheme, in style.css) until the user flips the
// toggle; their choice is kept in localStorage and set as <html data-theme>.
const KEY = "remi-web-theme";
const dark = matchMedia("(prefers-color-scheme: dark)");

export function applyStoredTheme() {
  const stored = localStorage.getItem(KEY);
  if (stored === "light" || stored === "dark") document.documentElement.dataset.theme = stored;
}

function current() {
  return document.documentElement.dataset.theme || (dark.matches ? "dark" : "light");
}

// `button` (aria-pressed when dark) switches the theme and remembers it.
export function bindThemeToggle(button) {
  const show = () => button.setAttribute("aria-pressed", String(current() === "dark"));
  button.addEventListener("click", () => {
    const next = current() === "dark" ? "light" : "dark";
    localStorage.setItem(KEY, next);
    document.documentElement.dataset.theme = next;
    show();
  });
  dark.addEventListener("change", show);
  show();
}

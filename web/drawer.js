// The sidebar as a drawer on narrow screens (style.css): the menu button opens and closes it, and
// so do a click on the dimmed page behind it, Escape, or picking a conversation in it.
export function bindDrawer(button, sidebar, scrim) {
  const setOpen = (open) => {
    if (open !== document.body.classList.contains("drawer-open")) document.body.classList.add("drawer-sliding");
    document.body.classList.toggle("drawer-open", open);
    button.setAttribute("aria-expanded", String(open));
    scrim.hidden = !open;
  };
  const close = (refocus) => {
    if (!document.body.classList.contains("drawer-open")) return;
    setOpen(false);
    if (refocus) button.focus();
  };
  button.addEventListener("click", () => {
    const open = !document.body.classList.contains("drawer-open");
    setOpen(open);
    if (open) sidebar.querySelector("button").focus();
  });
  const slid = (e) => {
    if (e.target === sidebar) document.body.classList.remove("drawer-sliding");
  };
  sidebar.addEventListener("transitionend", slid);
  sidebar.addEventListener("transitioncancel", slid);
  scrim.addEventListener("click", () => close(false));
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !document.querySelector("dialog[open]")) close(true);
  });
  // A conversation opened or started: back to the chat.
  sidebar.addEventListener("click", (e) => {
    if (e.target.closest("#threads .open, #new-chat")) close(false);
  });
  setOpen(false);
}

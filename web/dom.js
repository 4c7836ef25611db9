// Building the page's elements: helpers shared by the views.
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// A tool card's own part (`selector` from the card down), never one of a card nested in it.
export function part(card, selector) {
  return card.querySelector(`:scope > ${selector}`);
}

// A button that copies `text()` to the clipboard and says so for a moment. `label` is what it
// shows, `name` what it is called for a screen reader ("Copy the answer").
export function copyButton(label, name, text) {
  const button = el("button", "copy", label);
  button.type = "button";
  button.setAttribute("aria-label", name);
  button.onclick = async () => {
    try {
      await navigator.clipboard.writeText(text());
      button.textContent = "Copied";
    } catch {
      button.textContent = "Copy failed";
    }
    setTimeout(() => { button.textContent = label; }, 1500);
  };
  return button;
}

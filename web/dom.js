// Building the page's elements: one helper shared by the views.
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

// Markdown in the chat: marked (GitHub-flavoured) turns the model's text into HTML, DOMPurify keeps
// only inert HTML (no scripts, no event handlers, no javascript: links, no images or media that
// would load by themselves), links open in a new tab without an opener, and highlight.js colours
// the fenced code blocks of a handful of languages. Each code block gets a bar with its language
// and a copy button. The libraries come from web/dist/vendor/ (scripts/setup_web.sh, from npm).
import { copyButton, el } from "./dom.js";
import { Marked } from "./dist/vendor/marked.esm.js";
import createPurifier from "./dist/vendor/purify.es.mjs";
import hljs from "./dist/vendor/highlight/core.js";
import bash from "./dist/vendor/highlight/languages/bash.js";
import css from "./dist/vendor/highlight/languages/css.js";
import diff from "./dist/vendor/highlight/languages/diff.js";
import javascript from "./dist/vendor/highlight/languages/javascript.js";
import json from "./dist/vendor/highlight/languages/json.js";
import python from "./dist/vendor/highlight/languages/python.js";
import sql from "./dist/vendor/highlight/languages/sql.js";
import typescript from "./dist/vendor/highlight/languages/typescript.js";
import xml from "./dist/vendor/highlight/languages/xml.js";
import yaml from "./dist/vendor/highlight/languages/yaml.js";

for (const [name, language] of Object.entries({ bash, css, diff, javascript, json, python, sql, typescript, xml, yaml })) {
  hljs.registerLanguage(name, language);
}

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escape = (text) => String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);

// Highlighted code by language and text: while an answer streams, its earlier blocks don't change.
const highlighted = new Map();

function highlight(code, language) {
  const key = `${language}\n${code}`;
  let html = highlighted.get(key);
  if (html === undefined) {
    html = hljs.highlight(code, { language, ignoreIllegals: true }).value;
    if (highlighted.size > 200) highlighted.clear();
    highlighted.set(key, html);
  }
  return html;
}

const marked = new Marked({
  gfm: true,
  breaks: true, // a line break in the model's text stays one
  renderer: {
    code({ text, lang }) {
      const name = (lang || "").trim().split(/\s+/)[0];
      const language = hljs.getLanguage(name) ? name : "";
      const body = language ? highlight(text, language) : escape(text);
      const label = language ? ` class="language-${escape(language)}"` : "";
      return `<pre><code${label}>${body}</code></pre>\n`;
    },
    // An image would load by itself (and could carry data away in its URL): a link to it instead.
    image({ href, text }) {
      return `<a href="${escape(href)}">${escape(text || href)}</a>`;
    },
  },
});

const purifier = createPurifier(window);
purifier.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A" && node.hasAttribute("href")) {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  }
});
const PURIFY = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ["style", "img", "picture", "audio", "video", "source", "track", "form"],
  FORBID_ATTR: ["style", "background", "srcset"],
};

// Give each code block a bar: its language and a button copying its text.
function decorate(root) {
  for (const pre of root.querySelectorAll("pre")) {
    const code = pre.querySelector("code") || pre;
    const language = (/\blanguage-([\w+#.-]+)/.exec(code.className) || [])[1] || "";
    const block = el("div", "code-block");
    const bar = el("div", "code-bar");
    bar.append(el("span", "lang", language), copyButton("Copy", "Copy the code", () => code.textContent));
    pre.replaceWith(block);
    block.append(bar, pre);
    code.classList.add("hljs");
  }
}

// Render `source` (Markdown) into `target`, replacing what it showed.
export function renderMarkdown(target, source) {
  const html = purifier.sanitize(marked.parse(source), PURIFY);
  target.innerHTML = html; // sanitized just above
  decorate(target);
}

// The chat view: renders history from the worker and the live event stream (the wire format).
// The answer's text is Markdown (markdown.js), drawn again at most once per animation frame while
// it streams, and once more at once when anything else happens. A finished answer gets a button
// copying its text. A `task` call's card also shows its sub-agent's work (subagent.js).
import { copyButton, el, part } from "./dom.js";
import { renderMarkdown } from "./markdown.js";
import { SubAgentSection, TASK, makeTaskCard, showJob } from "./subagent.js";

function pretty(json) {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

export class ChatView {
  // `copy`: give each finished answer a copy button (not in a sub-agent's log).
  constructor(root, { copy = true } = {}) {
    this.root = root;
    this.copy = copy;
    this.reply = null; // the assistant bubble of the streaming run
    this.cards = new Map(); // call_id -> tool card
    this.sections = new Map(); // call_id of a task call -> its sub-agent's section
    this.sources = new WeakMap(); // text block -> its Markdown so far
    this.stale = new Set(); // text blocks whose Markdown changed since they were drawn
    this.frame = 0;
  }

  clear() {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.stale.clear();
    this.root.replaceChildren();
    this.reply = null;
    this.cards.clear();
    this.sections.clear();
  }

  scroll() {
    this.root.scrollTop = this.root.scrollHeight;
  }

  user(text) {
    this.endReply();
    this.root.append(el("div", "msg user", text));
    this.scroll();
  }

  notice(text) {
    this.root.append(el("div", "notice", text));
    this.scroll();
  }

  error(message) {
    this.endReply();
    this.root.append(el("div", "error-msg", message));
    this.scroll();
  }

  bubble() {
    if (!this.reply) {
      this.reply = el("div", "msg assistant");
      this.root.append(this.reply);
    }
    return this.reply;
  }

  lastBlock(className) {
    const bubble = this.bubble();
    const last = bubble.lastElementChild;
    if (last && last.classList.contains(className)) return last;
    return null;
  }

  text(delta) {
    const block = this.lastBlock("text") || this.bubble().appendChild(el("div", "text"));
    this.sources.set(block, (this.sources.get(block) || "") + delta);
    this.stale.add(block);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  // Draw the text blocks whose Markdown changed (once per frame while streaming, or right now).
  flush() {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    if (!this.stale.size) return;
    for (const block of this.stale) renderMarkdown(block, this.sources.get(block));
    this.stale.clear();
    this.scroll();
  }

  // The answer is complete: draw it, and give it a button copying its text (the Markdown).
  endReply() {
    this.flush();
    const reply = this.reply;
    this.reply = null;
    if (!reply || !this.copy) return;
    const blocks = [...reply.children].filter((child) => child.classList.contains("text"));
    if (!blocks.length) return;
    const actions = el("div", "msg-actions");
    actions.append(copyButton("Copy", "Copy the answer",
      () => blocks.map((block) => this.sources.get(block)).join("\n\n")));
    reply.append(actions);
  }

  thinking(delta) {
    let block = this.lastBlock("thinking");
    if (!block) {
      block = this.bubble().appendChild(el("details", "thinking"));
      block.append(el("summary", "", "Thinking"), el("pre"));
    }
    block.querySelector("pre").textContent += delta;
  }

  card(callId, name) {
    let card = this.cards.get(callId);
    if (!card) {
      card = el("div", "tool-card");
      card.dataset.callId = callId;
      const head = el("div", "head");
      head.append(el("span", "name", name), el("span", "state", "preparing…"));
      card.append(head, el("pre", "args"), el("div", "progress"), el("pre", "result"));
      if (name === TASK) makeTaskCard(card);
      this.bubble().append(card);
      this.cards.set(callId, card);
    }
    return card;
  }

  state(card, text, kind) {
    const state = part(card, ".head > .state");
    state.textContent = text;
    state.className = "state" + (kind ? " " + kind : "");
  }

  args(card, argumentsJson) {
    part(card, ".args").textContent = pretty(argumentsJson);
    if (card.classList.contains("task-card")) showJob(card, argumentsJson);
  }

  toolCall(call) {
    const card = this.card(call.id, call.name);
    this.args(card, call.arguments);
    this.state(card, "called");
  }

  toolResult(callId, name, content, isError) {
    const card = this.card(callId, name || "tool");
    const task = card.classList.contains("task-card");
    part(card, ".result").textContent = (task ? "Report: " : "→ ") + content;
    this.state(card, isError ? "failed" : "done", isError ? "error" : "ok");
    const section = this.sections.get(callId);
    if (section) section.finish(isError);
    this.scroll();
  }

  // A `sub_session` event: the sub-agent of a task call streamed one of its own events.
  subSession(event) {
    let section = this.sections.get(event.parent_call_id);
    if (!section) {
      const card = this.card(event.parent_call_id, TASK);
      section = new SubAgentSection(card, event.agent_name, (root) => new ChatView(root, { copy: false }));
      this.sections.set(event.parent_call_id, section);
    }
    section.event(event.event);
    this.scroll();
  }

  // One live event of the wire format.
  event(event) {
    if (event.type !== "text_delta") this.flush();
    switch (event.type) {
      case "text_delta": return this.text(event.text);
      case "thinking_delta": return this.thinking(event.text);
      case "tool_call_start": return this.card(event.call_id, event.name);
      case "tool_call_args_delta": {
        part(this.card(event.call_id, "tool"), ".args").textContent += event.delta;
        return this.scroll();
      }
      case "tool_call_ready": {
        const card = this.card(event.call_id, event.name);
        this.args(card, event.arguments);
        return this.state(card, "running…");
      }
      case "tool_progress": {
        const card = this.card(event.call_id, event.name);
        const data = typeof event.data === "string" ? event.data : JSON.stringify(event.data);
        part(card, ".progress").textContent = data;
        return;
      }
      case "tool_result": return this.toolResult(event.call_id, event.name, event.content, event.is_error);
      case "sub_session": return this.subSession(event);
      case "interrupt":
        for (const info of event.interrupts) this.state(this.card(info.call_id, info.tool_name), "waiting for approval");
        return;
      case "need_tool_execution":
        return this.error("The agent asked the page to run tools it does not have: " +
          event.calls.map((call) => call.name).join(", "));
      case "error": return this.error(`Error (${event.code}): ${event.message}`);
      case "cancelled":
        this.endReply();
        return this.notice("Stopped.");
      case "done": {
        this.endReply();
        const usage = event.usage || {};
        if (usage.total_tokens) this.notice(`${usage.total_tokens} tokens`);
        return;
      }
      default: return;
    }
  }

  // A thread's stored messages (after a reload or when switching conversations).
  history(messages) {
    this.clear();
    for (const message of messages) {
      if (message.role === "user") this.user(message.text);
      else if (message.role === "assistant") {
        if (message.reasoning) this.thinking(message.reasoning);
        if (message.text) this.text(message.text);
        for (const call of message.tool_calls || []) this.toolCall(call);
      } else if (message.role === "tool") {
        this.toolResult(message.call_id, null, message.text, false);
      }
    }
    this.endReply();
  }
}

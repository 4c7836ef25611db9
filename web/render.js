// The chat view: renders history from the worker and the live event stream (the wire format).
// The answer's text is Markdown (markdown.js), drawn again at most once per animation frame while
// it streams, and once more at once when anything else happens. A finished answer gets a button
// copying its text, and the last one a button asking for it again. A typing indicator shows until
// the first thing of an answer arrives; the view follows the stream until the user scrolls up
// (follow.js). A call waiting for approval gets the question in its card (approval.js), and the
// card then says what was answered: denied, edited (with the arguments used), done or failed.
// A `task` call's card also shows its sub-agent's work (subagent.js). A user message gets an
// "Edit" button below it (branches.js makes the edited message a new branch of the thread).
import { approvalBox } from "./approval.js";
import { copyButton, el, part } from "./dom.js";
import { Follower } from "./follow.js";
import { renderMarkdown } from "./markdown.js";
import { SubAgentSection, TASK, makeTaskCard, showJob } from "./subagent.js";

// Events that show nothing by themselves: the typing indicator stays up through them.
const QUIET = new Set(["run_start", "run_resumed", "turn_start", "turn_end", "checkpoint", "usage", "custom", "model_retry"]);
const DENIED = "The user denied this call"; // how a denied call's result starts (function_tool.py)
// An agent with an output type answers through this tool: its JSON is shown as the answer, as it
// streams, and never as a tool card; an invalid answer is dropped (the model is asked again).
const FINAL = "final_result";
const ACCEPTED = "Final answer received."; // the accepted answer's tool result (output_answer.py)

function button(className, label, name) {
  const node = el("button", className, label);
  node.type = "button";
  if (name) node.setAttribute("aria-label", name);
  return node;
}

function pretty(json) {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

export class ChatView {
  // `copy`: give each finished answer a copy button (not in a sub-agent's log). `onRegenerate()`:
  // what the last answer's "Regenerate" button does (none without it). `onFollow(following)`:
  // told when the view starts or stops following the stream. `onEdit(bubble, text)`: what a user
  // message's "Edit" button does (none without it).
  constructor(root, { copy = true, onRegenerate = null, onFollow, onEdit = null } = {}) {
    this.root = root;
    this.copy = copy;
    this.onRegenerate = onRegenerate;
    this.onEdit = onEdit;
    this.follower = new Follower(root, onFollow);
    this.lastUser = null; // the text of the last user message shown
    this.typer = null; // the typing indicator, while it shows
    this.answers = new Map(); // call_id -> the user's answer to its approval
    this.reply = null; // the assistant bubble of the streaming run
    this.cards = new Map(); // call_id -> tool card
    this.finals = new Map(); // call_id of a final_result call -> the block showing its answer
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
    this.typer = null;
    this.lastUser = null;
    this.cards.clear();
    this.finals.clear();
    this.sections.clear();
    this.answers.clear();
    this.follower.reset();
  }

  // Add `node` at the end of the conversation, above the messages still queued.
  add(node) {
    this.root.insertBefore(node, this.root.querySelector(":scope > .msg.queued"));
  }

  // Show the newest line if following the stream (always with `force`).
  scroll(force = false) {
    this.follower.scroll(force);
  }

  user(text) {
    this.endReply();
    for (const old of this.root.querySelectorAll(":scope > .msg .regenerate")) old.remove();
    this.lastUser = text;
    const bubble = el("div", "msg user", text);
    this.add(bubble);
    if (this.onEdit) bubble.after(this.editAction(bubble, text));
    this.scroll(true);
    return bubble;
  }

  // The row below a user message with its "Edit" button (beside the bubble, so that the bubble's
  // text stays the message); disabled while a run streams (`aria-busy` on the root).
  editAction(bubble, text) {
    const actions = el("div", "msg-actions user-actions");
    const edit = button("action edit", "Edit", "Edit this message and send it as a new branch");
    edit.disabled = this.root.getAttribute("aria-busy") === "true";
    edit.onclick = () => this.onEdit(bubble, text);
    actions.append(edit);
    return actions;
  }

  // Remove a user message and its "Edit" row.
  removeUser(bubble) {
    const next = bubble.nextElementSibling;
    if (next && next.classList.contains("user-actions")) next.remove();
    bubble.remove();
  }

  // A message waiting for the run in progress to end; removed by the caller once it is sent.
  queued(text) {
    const bubble = el("div", "msg user queued");
    bubble.append(el("span", "queued-text", text), el("span", "queued-label", "queued: sent when the answer ends"));
    this.root.appendChild(bubble);
    this.scroll(true);
    return bubble;
  }

  // A message whose answer a reload cut off: the message, the answer so far marked as
  // interrupted, and a "Continue" button (which removes both, then calls `onContinue()`).
  interrupted(text, reply, onContinue) {
    const asked = this.user(text);
    const bubble = el("div", "msg assistant interrupted");
    if (reply) {
      const block = el("div", "text");
      renderMarkdown(block, reply);
      bubble.append(block);
    }
    const note = el("div", "interrupted-note");
    const again = button("action continue", "Continue", "Continue: send the message again");
    again.onclick = () => {
      this.removeUser(asked);
      bubble.remove();
      onContinue();
    };
    note.append(el("span", "", "Interrupted: the page was reloaded before the answer ended."), again);
    bubble.append(note);
    this.add(bubble);
    this.scroll();
  }

  // The dots shown from sending until the first thing of the answer arrives.
  typing() {
    this.stopTyping();
    this.typer = el("div", "typing");
    this.typer.setAttribute("role", "status");
    for (let i = 0; i < 3; i += 1) this.typer.append(el("span", "dot"));
    this.typer.append(el("span", "sr-only", "The agent is writing…"));
    this.add(this.typer);
    this.scroll();
  }

  // The model call failed before its stream started and is tried again (a `model_retry`
  // event): said beside the typing dots, "retrying (2/4) in 3 s", the reason on hover.
  retrying(event) {
    if (!this.typer) this.typing();
    let note = part(this.typer, ".retry");
    if (!note) this.typer.append((note = el("span", "retry")));
    const seconds = event.delay < 10 ? Number(event.delay.toFixed(1)) : Math.round(event.delay);
    note.textContent = `retrying (${event.attempt}/${event.max_retries}) in ${seconds} s`;
    note.title = event.reason;
  }

  stopTyping() {
    if (this.typer) this.typer.remove();
    this.typer = null;
  }

  // Follow the stream again and show its newest line ("jump to latest").
  jump() {
    this.scroll(true);
  }

  notice(text) {
    this.add(el("div", "notice", text));
    this.scroll();
  }

  error(message) {
    this.stopTyping();
    this.endReply();
    this.add(el("div", "error-msg", message));
    this.scroll();
  }

  bubble() {
    if (!this.reply) {
      this.reply = el("div", "msg assistant");
      this.add(this.reply);
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
    if (this.onRegenerate) {
      for (const old of this.root.querySelectorAll(":scope > .msg .regenerate")) old.remove();
      const again = button("action regenerate", "Regenerate", "Regenerate the answer");
      again.onclick = () => this.onRegenerate();
      actions.append(again);
    }
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

  // A call waiting for approval (`info` of an `interrupt` event): the question in its card;
  // `onAnswer(payload)` gets the answer, once the card shows it.
  waiting(info, onAnswer) {
    const card = this.card(info.call_id, info.tool_name);
    this.state(card, "waiting for approval", "wait");
    const old = part(card, ".approval");
    if (old) old.remove();
    part(card, ".args").after(approvalBox(info, (payload) => {
      this.answered(info.call_id, payload);
      onAnswer(payload);
    }));
    this.scroll();
  }

  // The user answered the call's approval (`payload` as `resume` takes it).
  answered(callId, payload) {
    const card = this.cards.get(callId);
    if (!card) return;
    this.answers.set(callId, payload);
    const box = part(card, ".approval");
    if (box) box.remove();
    if (!payload.approved) return this.state(card, "denied", "denied");
    if (!payload.arguments) return this.state(card, "approved · running…");
    this.args(card, JSON.stringify(payload.arguments));
    if (!part(card, ".args-note")) part(card, ".args").before(el("div", "args-note", "Run with the arguments as edited:"));
    card.classList.add("edited");
    this.state(card, "edited · running…");
  }

  // The structured answer of a `final_result` call: `delta` added, or the `whole` JSON.
  finalAnswer(callId, delta = "", whole = null) {
    let block = this.finals.get(callId);
    if (!block) {
      block = this.bubble().appendChild(el("pre", "output"));
      this.finals.set(callId, block);
    }
    if (whole !== null) block.textContent = pretty(whole);
    else block.textContent += delta;
  }

  toolResult(callId, name, content, isError) {
    const final = this.finals.get(callId);
    if (final) {
      if (isError || content !== ACCEPTED) final.remove();
      return;
    }
    const card = this.card(callId, name || "tool");
    const task = card.classList.contains("task-card");
    part(card, ".result").textContent = (task ? "Report: " : "→ ") + content;
    const answer = this.answers.get(callId);
    const denied = answer ? !answer.approved : typeof content === "string" && content.startsWith(DENIED);
    if (isError) this.state(card, "failed", "error");
    else if (denied) this.state(card, "denied", "denied");
    else if (answer && answer.arguments) this.state(card, "edited", "ok");
    else this.state(card, "done", "ok");
    const section = this.sections.get(callId);
    if (section) section.finish(isError);
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
  }

  // One live event of the wire format.
  event(event) {
    const text = event.type === "text_delta";
    if (!text) this.flush();
    if (!QUIET.has(event.type)) this.stopTyping();
    this.draw(event);
    if (!text) this.scroll();
  }

  draw(event) {
    switch (event.type) {
      case "text_delta": return this.text(event.text);
      case "thinking_delta": return this.thinking(event.text);
      case "tool_call_start":
        return event.name === FINAL ? this.finalAnswer(event.call_id) : this.card(event.call_id, event.name);
      case "tool_call_args_delta": {
        if (this.finals.has(event.call_id)) return this.finalAnswer(event.call_id, event.delta);
        part(this.card(event.call_id, "tool"), ".args").textContent += event.delta;
        return;
      }
      case "tool_call_ready": {
        if (this.finals.has(event.call_id)) return this.finalAnswer(event.call_id, "", event.arguments);
        const card = this.card(event.call_id, event.name);
        if (this.answers.has(event.call_id)) return; // resumed: the card shows the answer
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
      case "model_retry": return this.retrying(event);
      case "interrupt":
        for (const info of event.interrupts) this.state(this.card(info.call_id, info.tool_name), "waiting for approval");
        return;
      case "interrupt_answered": { // the agent's InterruptRouter answered; no human was asked
        const card = this.card(event.call_id, event.tool_name);
        const verb = { approve: "auto-approved", deny: "denied" }[event.decision] || "answered";
        part(card, ".progress").textContent = `${verb} by policy (${event.rule})`;
        return this.state(card, `${verb} by policy`);
      }
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
        for (const call of message.tool_calls || []) {
          if (call.name === FINAL) this.finalAnswer(call.id, "", call.arguments);
          else this.toolCall(call);
        }
      } else if (message.role === "tool") {
        this.toolResult(message.call_id, null, message.text, false);
      }
    }
    this.endReply();
  }
}

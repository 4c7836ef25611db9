// The page: wires the worker (agent in Pyodide), the chat view, the approvals on the tool cards,
// the settings panel, the conversation list (a drawer on a phone), the side panels (the plan, the
// workspace's files), the theme toggle, the composer and the eval tab (evals.js). The page never runs Python itself; it
// only posts commands and renders what the worker sends back.
// `?mode=deep` runs the deep agent (/deep_agent.py) instead of the chat agent (/agent.py).
//
// One run at a time: a message sent while a run streams (or while the page asks something) waits
// in a queue, shown as a queued bubble, and goes when the run ends. A message sent while an
// approval waits first asks whether to deny it (a real `resume` with a denial). The message in
// flight and its answer so far are kept in localStorage (live.js) until the run ends; with an
// agent at a URL a reload re-attaches to the run (reattach.js). "Edit" on a user message sends
// the edited text in a new branch of the thread (branches.js). "Continue on server" and "Take back
// from server" move a run between the page and a server (handoff.js).
import { askDenyFirst } from "./approval.js";
import { Brancher } from "./branches.js";
import { bindEvals } from "./evals.js";
import { deleteConversation, listConversations, touchConversation } from "./conversations.js";
import { bindDrawer } from "./drawer.js";
import { Handoff } from "./handoff.js";
import { LiveRecord } from "./live.js";
import { planOf, renderFiles, renderPlan } from "./panels.js";
import { Reattacher } from "./reattach.js";
import { ChatView } from "./render.js";
import { bindSettingsPanel, loadDefaults, loadSettings } from "./settings.js";
import { applyStoredTheme, bindThemeToggle } from "./theme.js";

applyStoredTheme();

const $ = (id) => document.getElementById(id);
const view = new ChatView($("messages"), {
  onRegenerate: () => { if (view.lastUser !== null) submit(view.lastUser); },
  onFollow: (following) => { $("jump").hidden = following; },
  onEdit: (bubble, text) => branches.edit(bubble, text),
});
const MODE = new URLSearchParams(location.search).get("mode") === "deep" ? "deep" : "chat";
const CURRENT = MODE === "deep" ? "remi-web-current-deep" : "remi-web-current";
const TERMINAL = new Set(["done", "error", "cancelled", "interrupt", "need_tool_execution"]);
const metrics = { navigationMs: 0, readyMs: null, bootMs: null, firstTokenMs: null };
const live = new LiveRecord(MODE);
const app = {
  worker: null, settings: null, thread: localStorage.getItem(CURRENT), running: false, ready: false,
  pending: null, // the `interrupt` event still waiting for answers
  answers: {}, // interrupt id -> the answer given so far to `pending`
  queue: [], // messages waiting to be sent: {text, bubble}
  asking: false, // the deny-first question is open
  opening: false, // a thread's history was asked for and has not come yet
};
const branches = new Brancher({
  root: $("messages"), mode: MODE, post, thread: () => app.thread, busy: () => app.running || app.opening,
  onBranch: (threadId, text) => {
    if (app.running) return restoreInput([text]); // never sent in another thread than shown
    openThread(threadId);
    submit(text); // sent once the branch's history is shown
  },
});
const reattach = new Reattacher({ post, view, live, onLost: offerContinue });
const evals = bindEvals({ root: $("evals"), toggle: $("open-evals"), post, onStart: () => setRunning(true) });
window.remi = { metrics, events: [], seqs: [], ready: null, settingsSaved: 0, mode: MODE, agentFile: null, packages: null, snapshot: null, files: null };
const handoff = new Handoff({
  mode: MODE, post, view, thread: () => app.thread, settings: () => app.settings,
  busy: () => app.running || app.opening || !app.ready, onOpen: openThread, onChange: () => setRunning(app.running),
  onTaken: (threadId, title) => touchConversation(threadId, title, MODE).then(() => openThread(threadId)),
  onContinue: (runId) => { // taken back between turns: its next model call, in the worker
    setRunning(true);
    view.typing();
    post({ op: "resume", thread_id: app.thread, run_id: runId, payloads: {} });
  },
});

function status(text, state) {
  $("status").textContent = text;
  $("status").dataset.state = state;
}

function banner(text) {
  $("banner").textContent = text;
  $("banner").hidden = !text;
}

function setRunning(running) {
  app.running = running;
  $("send").disabled = !app.ready || handoff.readOnly(); // a run continued on a server: read-only
  $("input").disabled = !app.ready || handoff.readOnly();
  $("cancel").hidden = !running;
  $("messages").setAttribute("aria-busy", String(running)); // announced once the run ends
  for (const edit of $("messages").querySelectorAll(":scope > .user-actions .edit")) edit.disabled = running;
  evals.update({ ready: app.ready, running });
  handoff.render();
}

// The composer's input grows with its text, up to its CSS max-height, then scrolls.
function fitInput() {
  const input = $("input");
  input.style.height = "";
  if (input.value) input.style.height = `${input.scrollHeight + input.offsetHeight - input.clientHeight}px`;
}

function post(command) {
  app.worker.postMessage(JSON.stringify({ ...command, settings: app.settings }));
}

function showPanels() {
  $("panels").hidden = $("plan-panel").hidden && $("files-panel").hidden;
}

function showPlan(todos) {
  if (todos) renderPlan($("plan-panel"), todos);
  else $("plan-panel").hidden = true;
  showPanels();
}

function showFiles(files) {
  window.remi.files = files;
  renderFiles($("files-panel"), files);
  $("files-panel").hidden = MODE !== "deep" && files.length === 0;
  showPanels();
}

async function renderThreads() {
  const items = [];
  for (const conversation of await listConversations(MODE)) {
    const item = document.createElement("li");
    item.classList.toggle("active", conversation.thread_id === app.thread);
    const open = document.createElement("button");
    open.className = "open";
    open.type = "button";
    open.textContent = conversation.title;
    open.title = conversation.title;
    open.onclick = () => openThread(conversation.thread_id);
    const remove = document.createElement("button");
    remove.className = "delete";
    remove.type = "button";
    remove.textContent = "×";
    remove.title = "Delete this conversation";
    remove.setAttribute("aria-label", `Delete ${conversation.title}`);
    remove.onclick = async () => {
      post({ op: "delete", thread_id: conversation.thread_id });
      await deleteConversation(conversation.thread_id);
      if (conversation.thread_id === app.thread) newChat();
      renderThreads();
    };
    item.append(open, remove);
    items.push(item);
  }
  $("threads").replaceChildren(...items); // at once: no empty list while the store is read
}

function newChat() {
  unqueue();
  app.thread = null;
  app.opening = false;
  wait(null);
  localStorage.removeItem(CURRENT);
  view.clear();
  showPlan(null);
  renderThreads();
  setRunning(app.running);
}

function openThread(threadId) {
  if (app.running) return;
  unqueue();
  app.thread = threadId;
  wait(null);
  localStorage.setItem(CURRENT, threadId);
  showPlan(null);
  app.opening = true; // what is sent meanwhile waits for the history
  post({ op: "open", thread_id: threadId });
  renderThreads();
}

// `interrupt` (an event, or null): the approvals the thread's run waits for; each card asks.
function wait(interrupt) {
  app.pending = interrupt;
  app.answers = {};
  if (!interrupt) return;
  for (const info of interrupt.interrupts) {
    view.waiting(info, (payload) => answer(interrupt, info.interrupt_id, payload));
  }
}

// One approval answered on its card; once all of them are, the run resumes.
function answer(interrupt, interruptId, payload) {
  if (app.pending !== interrupt) return;
  app.answers[interruptId] = payload;
  if (interrupt.interrupts.every((info) => info.interrupt_id in app.answers)) resume();
}

function resume() {
  const { run_id: runId } = app.pending;
  const payloads = app.answers;
  app.pending = null;
  app.answers = {};
  setRunning(true);
  view.typing();
  post({ op: "resume", thread_id: app.thread, run_id: runId, payloads });
}

// Deny every approval of the waiting run not answered yet, and resume it.
function denyPending(reason) {
  for (const info of app.pending.interrupts) {
    if (info.interrupt_id in app.answers) continue;
    const payload = { approved: false, reason };
    view.answered(info.call_id, payload);
    app.answers[info.interrupt_id] = payload;
  }
  resume();
}

// A message to send: it waits its turn in the queue (shown as a queued bubble) and goes at once
// when nothing runs.
function submit(text) {
  if (!text.trim() || handoff.readOnly()) return;
  app.queue.push({ text, bubble: view.queued(text) });
  live.saveQueue(app.queue.map((item) => item.text));
  drain();
}

// Send the next queued message if nothing runs; if an approval waits, ask first whether to deny it.
async function drain() {
  if (!app.ready || app.running || app.asking || app.opening || !app.queue.length) return;
  if (app.pending) {
    app.asking = true;
    const names = app.pending.interrupts.map((info) => info.tool_name);
    const agreed = await askDenyFirst($("deny-first"), names);
    app.asking = false;
    if (!agreed) return unqueue(); // the approval keeps waiting; the messages go back to the box
    if (app.pending) return denyPending("the user sent a new message instead"); // drained when it ends
  }
  const next = app.queue.shift();
  next.bubble.remove();
  live.saveQueue(app.queue.map((item) => item.text));
  start(next.text);
}

// The queued messages, unsent, go back into the composer (nothing typed is lost).
function unqueue() {
  const texts = app.queue.splice(0).map((item) => {
    item.bubble.remove();
    return item.text;
  });
  live.saveQueue([]);
  restoreInput(texts);
}

function restoreInput(texts) {
  if (!texts.length) return;
  const typed = $("input").value.trim();
  const all = [...texts, ...(typed ? [$("input").value] : [])];
  $("input").value = all.join("\n\n");
  fitInput();
}

function start(text) {
  if (!app.thread) {
    app.thread = crypto.randomUUID();
    localStorage.setItem(CURRENT, app.thread);
  }
  const thread = app.thread;
  setRunning(true);
  view.user(text);
  view.typing();
  live.begin(thread, text, app.settings.mode === "remote" ? app.settings.agent_url : null);
  post({ op: "send", thread_id: thread, text });
  touchConversation(thread, text.trim().slice(0, 60), MODE).then(renderThreads);
}

// After a reload: the message whose answer the reload cut off, with the answer so far, unless
// the thread shows it was answered after all.
function showInterrupted(messages) {
  const cut = live.interrupted(app.thread);
  if (!cut) return;
  const users = messages.filter((message) => message.role === "user");
  const last = users[users.length - 1];
  if (last && last.text === cut.text && messages[messages.length - 1] !== last) {
    live.dismiss(app.thread);
    return;
  }
  if (reattach.attach(app.thread, cut, app.settings)) setRunning(true); // sends wait for its end
  else offerContinue(cut);
}

function offerContinue(cut) {
  const thread = app.thread;
  view.interrupted(cut.text, cut.reply, () => {
    live.dismiss(thread);
    submit(cut.text);
  });
}

function onMessage(raw) {
  const message = JSON.parse(raw);
  if (handoff.receive(message)) return;
  switch (message.kind) {
    case "ready":
      metrics.bootMs = message.boot_ms;
      metrics.readyMs = Math.round(performance.now());
      window.remi.agentFile = message.agent_file;
      window.remi.packages = message.packages; // what the agent file declared, installed
      window.remi.snapshot = message.snapshot; // booted from dist/snapshot.bin
      window.remi.bytecode = message.bytecode; // dist/pycache.zip unpacked: nothing compiled from source
      status(`Python ${message.python} ready in ${(message.ready_ms / 1000).toFixed(1)} s`, "ready");
      app.ready = true;
      setRunning(false);
      post({ op: "files" });
      if (app.thread) openThread(app.thread);
      handoff.start(); // hand-offs queued offline go now, if online
      window.remi.resolveReady(metrics);
      autoAsk();
      return;
    case "boot_error":
      status("Python failed to start", "error");
      banner(`The agent could not start: ${message.message}`);
      window.remi.resolveReady({ error: message.message });
      return;
    case "event": {
      if (message.thread_id !== app.thread) return;
      const event = message.event;
      window.remi.events.push(event);
      window.remi.seqs.push(message.seq ?? null);
      if (event.type === "text_delta" && metrics.firstTokenMs === null) metrics.firstTokenMs = Math.round(performance.now());
      live.event(event, message.seq);
      if (TERMINAL.has(event.type)) live.end();
      if (event.type === "custom" && event.name === "todo") showPlan(event.data.todos);
      view.event(event);
      if (event.type === "interrupt") wait(event);
      return;
    }
    case "idle":
      live.end();
      view.stopTyping();
      setRunning(false);
      post({ op: "files" });
      drain();
      return;
    case "files":
      showFiles(message.files);
      return;
    case "attached":
      reattach.attached(message);
      return;
    case "forked":
      branches.forked(message);
      return;
    case "eval_started":
    case "eval_progress":
    case "eval_result":
    case "eval_error":
      evals.receive(message);
      return;
    case "history":
      if (message.thread_id !== app.thread) return;
      view.history(message.messages);
      showPlan(planOf(message.messages));
      wait(message.pending);
      showInterrupted(message.messages);
      app.opening = false;
      for (const item of app.queue) $("messages").append(item.bubble); // queued meanwhile
      drain();
      return;
    default:
      return;
  }
}

function autoAsk() {
  // `?ask=...` sends a first message once Python is ready (used to measure page load to first
  // token), once: it leaves the URL, so a reload does not send it again.
  const params = new URLSearchParams(location.search);
  const question = params.get("ask");
  if (!question) return;
  params.delete("ask");
  const rest = params.toString();
  history.replaceState(history.state, "", location.pathname + (rest ? `?${rest}` : "") + location.hash);
  submit(question);
}

function showMode() {
  document.body.dataset.mode = MODE;
  $(MODE === "deep" ? "mode-deep" : "mode-chat").setAttribute("aria-current", "page");
  if (MODE !== "deep") return;
  document.title = "remi-web · deep agent";
  $("input").placeholder = "Give the deep agent a job, e.g. research solar power";
}

async function main() {
  window.remi.ready = new Promise((resolve) => { window.remi.resolveReady = resolve; });
  showMode();
  bindThemeToggle($("theme-toggle"));
  bindDrawer($("menu"), $("sidebar"), $("scrim"));
  let defaults;
  try {
    defaults = await loadDefaults();
  } catch (error) {
    status("Server unreachable", "error");
    banner(`Could not load the page's configuration: ${error.message}`);
    window.remi.resolveReady({ error: error.message });
    return;
  }
  app.settings = loadSettings(defaults);
  bindSettingsPanel($("settings"), defaults, () => app.settings, (values) => {
    app.settings = values;
    showAgent(values);
    window.remi.settingsSaved += 1;
  });
  showAgent(app.settings);
  await renderThreads();
  $("new-chat").onclick = newChat;
  $("composer").onsubmit = (e) => {
    e.preventDefault();
    const text = $("input").value;
    $("input").value = "";
    fitInput();
    $("input").focus(); // ready for the next message
    submit(text);
  };
  restoreInput(live.takeQueue()); // queued before a reload: back in the box, unsent
  $("jump").onclick = () => view.jump();
  $("input").addEventListener("input", fitInput);
  $("input").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      $("composer").requestSubmit();
    }
  });
  $("cancel").onclick = () => post({ op: "cancel" });
  app.worker = new Worker(`worker.js?mode=${MODE}`, { type: "module" });
  app.worker.onmessage = (e) => onMessage(e.data);
  app.worker.onerror = (e) => {
    status("Worker failed", "error");
    banner(`The worker failed: ${e.message || "unknown error"}`);
    window.remi.resolveReady({ error: e.message || "worker error" });
  };
}

function showAgent(settings) {
  $("agent-label").textContent = describe(settings);
  document.body.dataset.agent = settings.mode === "remote" ? "remote" : "page"; // no Edit when remote
}

function describe(settings) {
  if (settings.mode === "remote") return `agent at ${settings.agent_url}`;
  const api = { responses: " (OpenAI Responses)", anthropic: " (Anthropic)" }[settings.api] || "";
  return `${MODE === "deep" ? "deep agent" : "agent"} in the page · model ${settings.model}${api}`;
}

main();

// The page: wires the worker (agent in Pyodide), the chat view, the approval dialog, the settings
// panel, the conversation list (a drawer on a phone), the side panels (the plan, the workspace's
// files), the theme toggle and the composer. The page never runs Python itself; it only posts
// commands and renders what the worker sends back.
// `?mode=deep` runs the deep agent (/deep_agent.py) instead of the chat agent (/agent.py).
import { askApprovals } from "./approval.js";
import { deleteConversation, listConversations, touchConversation } from "./conversations.js";
import { bindDrawer } from "./drawer.js";
import { planOf, renderFiles, renderPlan } from "./panels.js";
import { ChatView } from "./render.js";
import { bindSettingsPanel, loadDefaults, loadSettings } from "./settings.js";
import { applyStoredTheme, bindThemeToggle } from "./theme.js";

applyStoredTheme();

const $ = (id) => document.getElementById(id);
const view = new ChatView($("messages"));
const MODE = new URLSearchParams(location.search).get("mode") === "deep" ? "deep" : "chat";
const CURRENT = MODE === "deep" ? "remi-web-current-deep" : "remi-web-current";
const metrics = { navigationMs: 0, readyMs: null, bootMs: null, firstTokenMs: null };
const app = { worker: null, settings: null, thread: localStorage.getItem(CURRENT), running: false, pending: null };
window.remi = { metrics, events: [], ready: null, settingsSaved: 0, mode: MODE, agentFile: null, files: null };

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
  $("send").disabled = running || !app.worker;
  $("input").disabled = !app.worker;
  $("cancel").hidden = !running;
  $("messages").setAttribute("aria-busy", String(running)); // announced once the run ends
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
  app.thread = null;
  app.pending = null;
  localStorage.removeItem(CURRENT);
  view.clear();
  showPlan(null);
  renderThreads();
}

function openThread(threadId) {
  if (app.running) return;
  app.thread = threadId;
  app.pending = null;
  localStorage.setItem(CURRENT, threadId);
  showPlan(null);
  post({ op: "open", thread_id: threadId });
  renderThreads();
}

async function answerPending() {
  const pending = app.pending;
  if (!pending || app.running) return;
  const payloads = await askApprovals($("approval"), pending);
  if (payloads === null) {
    const again = document.createElement("button");
    again.type = "button";
    again.textContent = "Answer the pending approval";
    again.className = "answer-pending";
    again.onclick = () => { again.remove(); answerPending(); };
    $("messages").append(again);
    return;
  }
  app.pending = null;
  setRunning(true);
  post({ op: "resume", thread_id: app.thread, run_id: pending.run_id, payloads });
}

function onMessage(raw) {
  const message = JSON.parse(raw);
  switch (message.kind) {
    case "ready":
      metrics.bootMs = message.boot_ms;
      metrics.readyMs = Math.round(performance.now());
      window.remi.agentFile = message.agent_file;
      status(`Python ${message.python} ready in ${(message.ready_ms / 1000).toFixed(1)} s`, "ready");
      setRunning(false);
      post({ op: "files" });
      if (app.thread) openThread(app.thread);
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
      if (event.type === "text_delta" && metrics.firstTokenMs === null) metrics.firstTokenMs = Math.round(performance.now());
      if (event.type === "interrupt") app.pending = event;
      if (event.type === "custom" && event.name === "todo") showPlan(event.data.todos);
      view.event(event);
      return;
    }
    case "idle":
      setRunning(false);
      post({ op: "files" });
      if (message.thread_id === app.thread) answerPending();
      return;
    case "files":
      showFiles(message.files);
      return;
    case "history":
      if (message.thread_id !== app.thread) return;
      view.history(message.messages);
      showPlan(planOf(message.messages));
      app.pending = message.pending;
      if (app.pending) {
        for (const info of app.pending.interrupts) view.state(view.card(info.call_id, info.tool_name), "waiting for approval");
        answerPending();
      }
      return;
    default:
      return;
  }
}

async function send(text) {
  if (!text.trim() || app.running) return;
  if (!app.thread) {
    app.thread = crypto.randomUUID();
    localStorage.setItem(CURRENT, app.thread);
  }
  app.pending = null;
  await touchConversation(app.thread, text.trim().slice(0, 60), MODE);
  renderThreads();
  view.user(text);
  setRunning(true);
  post({ op: "send", thread_id: app.thread, text });
}

function autoAsk() {
  // `?ask=...` sends a first message once Python is ready (used to measure page load to first token).
  const question = new URLSearchParams(location.search).get("ask");
  if (question) send(question);
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
    $("agent-label").textContent = describe(values);
    window.remi.settingsSaved += 1;
  });
  $("agent-label").textContent = describe(app.settings);
  await renderThreads();
  $("new-chat").onclick = newChat;
  $("composer").onsubmit = (e) => {
    e.preventDefault();
    const text = $("input").value;
    $("input").value = "";
    fitInput();
    $("input").focus(); // ready for the next message
    send(text);
  };
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

function describe(settings) {
  if (settings.mode === "remote") return `agent at ${settings.agent_url}`;
  return `${MODE === "deep" ? "deep agent" : "agent"} in the page · model ${settings.model}`;
}

main();

// Runs that move between the page and a server (docs/handoff.md, "In the web app"). The server is
// the one of Settings' "Agent URL" and "Agent token": a `remi serve` of the same agent file.
//
// "Continue on server" (in the header, for a conversation whose last run waits for an approval or
// is between turns) hands that run to the server: the worker exports it from the page's store,
// marks the page's copy moved and uploads it. The conversation then shows read-only, with a banner
// "Continued on <server> — run <id>" linking to the run's status URL, and the run's events there
// (approved through `HttpAgent` or `remi chat`) follow into the page. "Take back from server" (in
// that banner, or in the sidebar by run id) brings a server's run into the page's store, where it
// goes on in the worker. Offline (`navigator.onLine` false, or the upload failed for the network),
// the hand-off is queued with the run's bundle (handoff_queue.js; the page's copy is marked moved
// already, so it is never continued twice) and sent on the `online` event.
import { el } from "./dom.js";
import { dropQueued, listQueued, putQueued } from "./handoff_queue.js";

const MOVABLE = new Set(["interrupted", "tools_executed"]); // paused on an approval, or between turns
const ENDS = { interrupt: "interrupted", done: "done", error: "failed", cancelled: "cancelled", need_tool_execution: "awaiting_tools" };
const FAILED = {
  handoff: "Not continued on the server",
  take_back: "Not taken back from the server",
  follow: "Cannot follow the run on the server",
};

export class Handoff {
  // `post(command)` goes to the worker (with the settings); `view` is the chat view (followed
  // events are drawn in it); `thread()` is the conversation shown; `settings()` the page's
  // settings; `busy()` whether a run streams (or the page is not ready). `onOpen(threadId)` shows
  // a conversation again from the worker's store; `onTaken(threadId, title)` lists and opens a
  // conversation taken back; `onContinue(runId)` resumes a run taken back between turns;
  // `onChange()` is told when the conversation shown becomes (or stops being) read-only.
  constructor({ mode, post, view, thread, settings, busy, onOpen, onTaken, onContinue, onChange }) {
    Object.assign(this, { mode, post, view, thread, settings, busy, onOpen, onTaken, onContinue, onChange });
    this.movedKey = `remi-web-moved-${mode}`; // thread id -> {run_id, to, after}: where to follow from
    this.shown = null; // {thread_id, last_run: {run_id, status} | null, moved: {run_id, to} | null}
    this.queued = new Map(); // thread id -> {thread_id, run_id, mode, to, bundle}
    this.sending = new Set(); // thread ids whose queued hand-off is being sent
    this.asking = false; // a hand-off or take-back waits for the worker's answer
    this.notice = null; // {thread_id, text, kind: "status" | "error"}
    this.followId = null; // the follow whose events are drawn (older ones' are dropped)
    this.continueThread = null; // taken back between turns: resumed once its history shows
    this.started = false;
    this.button = document.getElementById("handoff");
    this.banner = document.getElementById("handoff-banner");
    this.button.onclick = () => this.handOff();
    this.bindTakeBack(document.getElementById("take-back"), document.getElementById("take-back-open"));
    addEventListener("online", () => this.flush());
    addEventListener("offline", () => this.render());
    window.remi.handoff = { queued: 0, handedOff: 0, takenBack: 0, refused: [] };
  }

  // The worker is ready: load the queue and send what waits in it if the page is online.
  async start() {
    for (const entry of await listQueued(this.mode)) this.queued.set(entry.thread_id, entry);
    this.started = true;
    this.flush();
  }

  // Whether the conversation shown may not take new messages (its run went to the server).
  readOnly() {
    const shown = this.current();
    return Boolean(shown && (shown.moved || this.queued.has(shown.thread_id)));
  }

  current() {
    const shown = this.shown;
    return shown && shown.thread_id === this.thread() ? shown : null;
  }

  // A message from the worker: true if it is one of this module's (then the page is done with it).
  receive(message) {
    switch (message.kind) {
      case "history":
      case "event":
      case "idle":
        queueMicrotask(() => this.observe(message)); // after the page drew it
        return false;
      case "handed_off": this.handedOff(message); return true;
      case "handoff_queued": this.queue(message); return true;
      case "handoff_refused": this.refused(message); return true;
      case "taken_back": this.takenBack(message); return true;
      case "followed": this.followed(message); return true;
      default: return false;
    }
  }

  observe(message) {
    if (message.kind === "history" && message.thread_id === this.thread()) {
      const { thread_id: threadId, last_run: lastRun, moved } = message;
      if (this.notice && this.notice.thread_id !== threadId) this.notice = null;
      this.shown = { thread_id: threadId, last_run: lastRun, moved };
      this.follow();
      if (this.continueThread === threadId) {
        this.continueThread = null;
        if (lastRun && lastRun.status === "tools_executed" && !moved) this.onContinue(lastRun.run_id);
      }
      this.onChange();
    } else if (message.kind === "event" && message.thread_id === this.thread()) {
      const status = ENDS[message.event.type];
      if (!this.shown || this.shown.thread_id !== message.thread_id) {
        this.shown = { thread_id: message.thread_id, last_run: null, moved: null };
      }
      if (status) this.shown.last_run = { run_id: message.event.run_id || null, status };
    }
    this.render();
  }

  handOff() {
    const shown = this.current();
    if (!shown || !shown.last_run || this.asking) return;
    const offline = !navigator.onLine;
    this.asking = true;
    this.say(shown.thread_id, offline ? "Offline: queueing the hand-off…" : "Continuing on the server…");
    this.post({ op: "handoff", thread_id: shown.thread_id, run_id: shown.last_run.run_id, offline });
  }

  takeBack(runId) {
    if (!runId || this.asking) return;
    this.asking = true;
    this.say(this.thread(), `Taking run ${runId} back from the server…`);
    this.post({ op: "take_back", run_id: runId, to: location.origin + location.pathname });
  }

  // Send the queued hand-offs (once the worker is ready and the page online).
  flush() {
    this.render();
    if (!this.started || !navigator.onLine) return;
    for (const entry of this.queued.values()) {
      if (this.sending.has(entry.thread_id)) continue;
      this.sending.add(entry.thread_id);
      this.post({ op: "handoff", thread_id: entry.thread_id, run_id: entry.run_id, bundle: entry.bundle });
    }
  }

  handedOff(message) {
    const threadId = message.thread_id;
    this.asking = false;
    this.sending.delete(threadId);
    window.remi.handoff.handedOff += 1;
    const moved = this.movedRecords();
    moved[threadId] = { run_id: message.run_id, to: message.to, after: message.after };
    localStorage.setItem(this.movedKey, JSON.stringify(moved));
    this.forgetQueued(threadId);
    if (this.notice && this.notice.thread_id === threadId) this.notice = null;
    if (threadId === this.thread()) this.onOpen(threadId); // read-only now; its events follow
    else this.render();
  }

  queue(message) {
    const threadId = message.thread_id;
    this.asking = false;
    this.sending.delete(threadId);
    const entry = { thread_id: threadId, run_id: message.run_id, mode: this.mode, to: message.to, bundle: message.bundle };
    this.queued.set(threadId, entry);
    window.remi.handoff.queued = this.queued.size;
    putQueued(entry).catch((error) => this.say(threadId, `The queued hand-off could not be kept: ${error.message}`, "error"));
    this.say(threadId, "Queued: will continue on the server when online.");
    const shown = this.current();
    if (shown && shown.thread_id === threadId && !shown.moved) this.onOpen(threadId); // no approval asked here any more
  }

  refused(message) {
    const threadId = message.thread_id || this.thread();
    this.asking = false;
    window.remi.handoff.refused.push({ op: message.op, code: message.code, message: message.message });
    if (message.op === "handoff" && this.queued.has(threadId)) {
      this.sending.delete(threadId);
      this.forgetQueued(threadId); // the run went on in the page (or came back to it)
    }
    this.say(threadId, `${FAILED[message.op] || "Refused"}: ${message.message}`, "error");
    if (message.op === "handoff" && threadId === this.thread()) this.onOpen(threadId); // as it stands now
  }

  takenBack(message) {
    const threadId = message.thread_id;
    this.asking = false;
    window.remi.handoff.takenBack += 1;
    const moved = this.movedRecords();
    delete moved[threadId];
    localStorage.setItem(this.movedKey, JSON.stringify(moved));
    this.notice = { thread_id: threadId, text: `Taken back from the server: run ${message.run_id} goes on in this page.`, kind: "status" };
    if (message.status === "tools_executed") this.continueThread = threadId;
    this.onTaken(threadId, message.title);
  }

  followed(message) {
    if (message.follow_id !== this.followId || message.thread_id !== this.thread()) return;
    window.remi.events.push(message.event);
    window.remi.seqs.push(message.seq);
    this.view.event(message.event);
  }

  // Follow the run of the conversation shown if it went to the server (from where it was handed
  // off: what a reload lost is drawn again); stop following otherwise.
  follow() {
    const shown = this.current();
    const moved = shown && shown.moved;
    if (!moved || this.queued.has(shown.thread_id)) {
      if (this.followId) this.post({ op: "unfollow" });
      this.followId = null;
      return;
    }
    const record = this.movedRecords()[shown.thread_id];
    const after = record && record.run_id === moved.run_id ? record.after : 0;
    this.followId = crypto.randomUUID();
    this.post({ op: "follow", thread_id: shown.thread_id, run_id: moved.run_id, after, follow_id: this.followId });
  }

  forgetQueued(threadId) {
    if (!this.queued.delete(threadId)) return;
    window.remi.handoff.queued = this.queued.size;
    dropQueued(threadId).catch(() => {}); // an entry left behind is refused as stale when sent
  }

  movedRecords() {
    try {
      const records = JSON.parse(localStorage.getItem(this.movedKey) || "{}");
      return records && typeof records === "object" ? records : {};
    } catch {
      return {};
    }
  }

  say(threadId, text, kind = "status") {
    this.notice = { thread_id: threadId, text, kind };
    this.render();
  }

  // The header's button and the banner above the composer, for the conversation shown.
  render() {
    const shown = this.current();
    const queued = shown && this.queued.get(shown.thread_id);
    const movable = Boolean(shown && !shown.moved && !queued && shown.last_run && MOVABLE.has(shown.last_run.status));
    this.button.hidden = !movable || (this.settings() || {}).mode === "remote";
    document.body.toggleAttribute("data-read-only", this.readOnly()); // no "Regenerate" there
    this.button.disabled = this.busy() || this.asking;
    const notice = this.notice && (shown ? this.notice.thread_id === shown.thread_id : !this.notice.thread_id) ? this.notice : null;
    const parts = [];
    if (queued) {
      parts.push(el("span", "", navigator.onLine ? "Queued: sending the run to the server…" : "Queued: will continue on the server when online."));
    } else if (shown && shown.moved) {
      parts.push(...this.movedParts(shown.moved));
    }
    if (notice && !(queued && notice.kind === "status")) parts.push(el("span", "handoff-notice", notice.text));
    this.banner.replaceChildren(...parts);
    this.banner.hidden = !parts.length;
    this.banner.dataset.kind = notice && notice.kind === "error" ? "error" : queued ? "queued" : "moved";
  }

  movedParts(moved) {
    const server = moved.to || "the server";
    const link = el("a", "", server);
    if (moved.to) {
      link.href = `${moved.to}/v1/runs/${encodeURIComponent(moved.run_id)}`;
      link.target = "_blank";
      link.rel = "noopener";
    }
    const text = el("span", "handoff-where");
    text.append("Continued on ", link, ` — run ${moved.run_id}`);
    const back = el("button", "action take-back", "Take back from server");
    back.type = "button";
    back.disabled = this.busy() || this.asking;
    back.onclick = () => this.takeBack(moved.run_id);
    return [text, back];
  }

  // The sidebar's "Take back from server…": a run of the server, by id.
  bindTakeBack(dialog, open) {
    const input = dialog.querySelector("input[name=run_id]");
    open.onclick = () => {
      input.value = "";
      dialog.showModal();
    };
    dialog.addEventListener("close", () => {
      if (dialog.returnValue === "take") this.takeBack(input.value.trim());
    });
  }
}

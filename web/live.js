// The message in flight, kept in localStorage while its answer streams, so that a reload loses
// neither the message nor the partial answer (the worker's store only gets a run's messages when
// the run ends), and the messages waiting to be sent after it. A record left by the page before
// a reload becomes its thread's interrupted message until it is continued or dismissed.
// With an agent at a URL the record also keeps the run's id, the number (`seq`) of the last event
// shown and those events (the deltas merged), so that the page can re-attach (reattach.js).
const WRITE_EVERY_MS = 100;
const MERGED = new Set(["text_delta", "thinking_delta"]);

function read(key, fallback) {
  try {
    return JSON.parse(localStorage.getItem(key) || "null") ?? fallback;
  } catch {
    return fallback;
  }
}

export class LiveRecord {
  constructor(mode) {
    this.key = `remi-web-live-${mode}`;
    this.cutKey = `remi-web-interrupted-${mode}`;
    this.queueKey = `remi-web-queued-${mode}`;
    this.record = null; // {thread_id, text, reply} of the run streaming now
    this.written = 0;
    this.timer = 0;
    const left = read(this.key, null);
    if (left && typeof left.thread_id === "string" && typeof left.text === "string") {
      const cuts = { ...this.cuts(), [left.thread_id]: { ...left, reply: String(left.reply || "") } };
      localStorage.setItem(this.cutKey, JSON.stringify(cuts));
    }
    localStorage.removeItem(this.key);
    addEventListener("pagehide", () => this.write());
  }

  // A message was sent in `threadId`: keep it until its run ends. `agentUrl`: the agent at a URL
  // that runs it (null for the agent in the page).
  begin(threadId, text, agentUrl = null) {
    this.record = { thread_id: threadId, text, reply: "", agent_url: agentUrl, run_id: null, seq: 0, events: [] };
    this.write();
  }

  // A record left by a reload is followed again (re-attached): it is the one in flight again.
  resume(record) {
    this.record = record;
    this.write();
  }

  // An event of the answer (`seq`: its number in the remote run's log, if any), written at most
  // every WRITE_EVERY_MS, and when the page goes.
  event(event, seq) {
    if (!this.record) return;
    const record = this.record;
    if (event.type === "run_start") record.run_id = event.run_id;
    if (typeof seq === "number") record.seq = seq;
    if (event.type === "text_delta") record.reply += event.text;
    if (record.agent_url) {
      const last = record.events[record.events.length - 1];
      if (last && MERGED.has(event.type) && last.type === event.type) last.text += event.text;
      else record.events.push({ ...event });
    }
    const wait = this.written + WRITE_EVERY_MS - performance.now();
    if (wait <= 0) this.write();
    else if (!this.timer) this.timer = setTimeout(() => this.write(), wait);
  }

  write() {
    clearTimeout(this.timer);
    this.timer = 0;
    if (!this.record) return;
    this.written = performance.now();
    localStorage.setItem(this.key, JSON.stringify(this.record));
  }

  // The run ended (done, stopped, failed or waiting for approval): nothing is in flight.
  end() {
    clearTimeout(this.timer);
    this.timer = 0;
    this.record = null;
    localStorage.removeItem(this.key);
  }

  cuts() {
    const cuts = read(this.cutKey, {});
    return cuts && typeof cuts === "object" ? cuts : {};
  }

  // The message of `threadId` whose run a reload cut off, if any: {text, reply}.
  interrupted(threadId) {
    return this.cuts()[threadId] || null;
  }

  // It was sent again, or turned out to have been answered after all.
  dismiss(threadId) {
    const cuts = this.cuts();
    if (!(threadId in cuts)) return;
    delete cuts[threadId];
    if (Object.keys(cuts).length) localStorage.setItem(this.cutKey, JSON.stringify(cuts));
    else localStorage.removeItem(this.cutKey);
  }

  // The messages waiting to be sent, in order.
  saveQueue(texts) {
    if (texts.length) localStorage.setItem(this.queueKey, JSON.stringify(texts));
    else localStorage.removeItem(this.queueKey);
  }

  takeQueue() {
    const texts = read(this.queueKey, []);
    localStorage.removeItem(this.queueKey);
    return Array.isArray(texts) ? texts.filter((text) => typeof text === "string") : [];
  }
}

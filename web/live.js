// The message in flight, kept in localStorage while its answer streams, so that a reload loses
// neither the message nor the partial answer (the worker's store only gets a run's messages when
// the run ends), and the messages waiting to be sent after it. A record left by the page before
// a reload becomes its thread's interrupted message until it is continued or dismissed.
const WRITE_EVERY_MS = 100;

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
      const cuts = { ...this.cuts(), [left.thread_id]: { text: left.text, reply: String(left.reply || "") } };
      localStorage.setItem(this.cutKey, JSON.stringify(cuts));
    }
    localStorage.removeItem(this.key);
    addEventListener("pagehide", () => this.write());
  }

  // A message was sent in `threadId`: keep it until its run ends.
  begin(threadId, text) {
    this.record = { thread_id: threadId, text, reply: "" };
    this.write();
  }

  // More of the answer streamed (written at most every WRITE_EVERY_MS, and when the page goes).
  text(delta) {
    if (!this.record) return;
    this.record.reply += delta;
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

// Re-attaching to a remote run after a reload. With an agent at a URL the run goes on on its
// server while the page reloads; the page kept (live.js) the run's id, the number of the last
// event it showed and those events. After the reload it asks the worker to `attach`: the worker
// asks the server for the run's status and, when the run's log goes on to an end (still running,
// or finished meanwhile), streams the events after the last one shown (`Last-Event-ID`), so the
// answer continues exactly where it was cut. Otherwise (the run is unknown or its server lost it)
// the page offers to send the message again, as for the agent in the page.

export class Reattacher {
  // `view` (render.js) and `live` (live.js): the chat view and the record of the run in flight.
  // `onLost(cut)`: the run cannot be followed; offer to send its message again.
  constructor({ post, view, live, onLost }) {
    this.post = post;
    this.view = view;
    this.live = live;
    this.onLost = onLost;
    this.asked = null; // {thread_id, cut}: the `attach` waiting for its answer
  }

  // Ask to follow `cut` (the record of `threadId`'s run that the reload cut off) from the event
  // after the last one shown, if it is a run of the agent now set; whether it asked.
  attach(threadId, cut, settings) {
    if (!cut.run_id || settings.mode !== "remote" || cut.agent_url !== settings.agent_url) return false;
    this.asked = { thread_id: threadId, cut };
    this.post({ op: "attach", thread_id: threadId, run_id: cut.run_id, after: cut.seq || 0 });
    return true;
  }

  // The worker's answer (`attached`: `{run_id, status, attached}`); if attached, the run's next
  // events follow, continuing the answer shown so far.
  attached(message) {
    const asked = this.asked;
    if (!asked || asked.thread_id !== message.thread_id || asked.cut.run_id !== message.run_id) return;
    this.asked = null;
    const { cut } = asked;
    window.remi.reattached = {
      run_id: message.run_id, status: message.status, attached: message.attached, after: cut.seq || 0, reply: cut.reply,
    };
    if (!message.attached) return this.onLost(cut);
    this.live.dismiss(asked.thread_id);
    this.live.resume(cut); // in flight again: a second reload re-attaches too
    this.view.user(cut.text);
    for (const event of cut.events || []) this.view.event(event);
  }
}

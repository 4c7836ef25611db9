// The `task` tool's card: which sub-agent works on which job, a collapsible section with its
// work as it streams (the call's `sub_session` events, drawn by a chat view of its own, so the
// sub-agent's call ids never mix with the parent's), and its final report under the section.
import { el, part } from "./dom.js";

export const TASK = "task";

// Turn a new tool card into a task card: the sub-agent's name in the head, a line for the job.
export function makeTaskCard(card) {
  card.classList.add("task-card");
  part(card, ".head > .name").after(el("span", "agent", "sub-agent"));
  part(card, ".head").after(el("div", "job"));
}

// The job and the sub-agent's name, from the task call's arguments (JSON text).
export function showJob(card, argumentsJson) {
  let args;
  try {
    args = JSON.parse(argumentsJson);
  } catch {
    return;
  }
  if (!args || typeof args !== "object") return;
  if (typeof args.description === "string") part(card, ".job").textContent = args.description;
  if (typeof args.agent === "string") part(card, ".head > .agent").textContent = args.agent;
}

const ENDED = { done: "finished", error: "failed", cancelled: "stopped", interrupt: "waiting for approval" };

export class SubAgentSection {
  // `makeView(root)`: a chat view drawing into `root` (the section's log).
  constructor(card, agentName, makeView) {
    this.agentName = agentName;
    this.calls = 0;
    this.state = "working…";
    this.details = el("details", "sub-agent");
    this.details.open = true; // open while it runs
    this.summary = el("summary");
    const log = el("div", "sub-log");
    this.details.append(this.summary, log);
    part(card, ".result").before(this.details);
    part(card, ".head > .agent").textContent = agentName;
    this.view = makeView(log);
    this.describe();
  }

  describe() {
    const calls = this.calls === 1 ? "1 tool call" : `${this.calls} tool calls`;
    this.summary.textContent = `${this.agentName}'s work: ${this.state} · ${calls}`;
  }

  // One event of the sub-agent's own stream (the `event` of a `sub_session` event).
  event(inner) {
    if (inner.type === "tool_call_start") this.calls += 1;
    if (ENDED[inner.type]) this.state = ENDED[inner.type];
    this.view.event(inner);
    this.describe();
  }

  // The task call ended: fold the section away; the report stays shown under it.
  finish(isError) {
    if (isError) this.state = "failed";
    this.details.open = false;
    this.describe();
  }
}

// The AG-UI oracle: `@ag-ui/client`'s own HttpAgent drives a remi agent served by `remi serve`
// (POST /v1/agui): one run that pauses for an approval, then the resume that approves it,
// exactly as a frontend does (agent.pendingInterrupts, buildResumeArray). The client parses and
// verifies every event itself (its zod schemas, its ordering rules) and builds the messages and
// the state from them; this prints what it got as one JSON line.
//
// Usage: node agui_client.mjs <endpoint URL> <bearer token> <directory holding node_modules>

import { createRequire } from "node:module";
import path from "node:path";

const [url, token, modules] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(modules), "package.json"));
const { HttpAgent, buildResumeArray } = require("@ag-ui/client");

const agent = new HttpAgent({
  url,
  headers: { Authorization: `Bearer ${token}` },
  threadId: "node-thread",
});
const runs = [];
let current;
const subscriber = {
  onEvent({ event }) {
    if (event.type === "RUN_STARTED") {
      current = { runId: event.runId, threadId: event.threadId, events: [] };
      runs.push(current);
    }
    current?.events.push(event);
  },
};

const report = { runs };
try {
  agent.addMessage({ id: "user-1", role: "user", content: "Plan it, add 2 and 3, save a note." });
  await agent.runAgent({}, subscriber);
  report.pendingInterrupts = agent.pendingInterrupts;
  report.stateAfterPause = structuredClone(agent.state);
  const approve = Object.fromEntries(
    agent.pendingInterrupts.map((interrupt) => [interrupt.id, { status: "resolved", payload: true }]),
  );
  const resumed = await agent.runAgent({ resume: buildResumeArray(agent.pendingInterrupts, approve) }, subscriber);
  report.newMessages = resumed.newMessages;
  report.pendingAfterResume = agent.pendingInterrupts;
  report.messages = agent.messages;
  report.state = agent.state;
} catch (error) {
  report.error = String(error?.stack ?? error);
}
console.log(JSON.stringify(report));

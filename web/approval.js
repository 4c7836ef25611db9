// The approval dialog: one question per pending interrupt. Approve, deny, or edit the arguments
// (valid JSON object) and approve. Resolves to the payloads `resume` needs, keyed by interrupt id.
function shown(info) {
  try {
    return JSON.stringify(JSON.parse(info.arguments || "{}"), null, 2);
  } catch {
    return info.arguments || "{}";
  }
}

function ask(dialog, info) {
  return new Promise((resolve) => {
    const args = dialog.querySelector("#approval-args");
    const problem = dialog.querySelector("#approval-error");
    const original = shown(info);
    dialog.querySelector("#approval-tool").textContent = info.tool_name;
    dialog.querySelector("#approval-kind").textContent =
      info.kind === "approval" ? "The agent wants to run this tool." : `The tool asks: ${info.kind}`;
    args.value = original;
    problem.hidden = true;
    const approve = dialog.querySelector("#approve");
    const deny = dialog.querySelector("#deny");
    const done = (answer) => {
      approve.onclick = deny.onclick = dialog.oncancel = null;
      dialog.close();
      resolve(answer);
    };
    approve.onclick = () => {
      if (args.value.trim() === original.trim()) return done({ approved: true });
      let edited;
      try {
        edited = JSON.parse(args.value);
      } catch (error) {
        problem.textContent = `Not valid JSON: ${error.message}`;
        problem.hidden = false;
        return;
      }
      if (edited === null || typeof edited !== "object" || Array.isArray(edited)) {
        problem.textContent = "The arguments must be a JSON object.";
        problem.hidden = false;
        return;
      }
      done({ approved: true, arguments: edited });
    };
    deny.onclick = () => done({ approved: false, reason: "denied by the user" });
    // Escape closes the dialog without an answer: the run stays paused and can be answered later.
    dialog.oncancel = () => done(null);
    dialog.showModal();
  });
}

export async function askApprovals(dialog, interruptEvent) {
  const payloads = {};
  for (const info of interruptEvent.interrupts) {
    const answer = await ask(dialog, info);
    if (answer === null) return null;
    payloads[info.interrupt_id] = answer;
  }
  return payloads;
}

// Approvals on the tool card: a call waiting for the user gets Approve, Deny and Edit (the
// arguments as JSON, which must stay a JSON object) inside its card. `approvalBox` reports the
// answer as the payload `resume` needs: `{approved: true}`, `{approved: false, reason}` or
// `{approved: true, arguments}`. `askDenyFirst` asks, in a dialog, whether to deny the approvals
// still waiting before a new message is sent.
import { el } from "./dom.js";

function shown(argumentsJson) {
  try {
    return JSON.stringify(JSON.parse(argumentsJson || "{}"), null, 2);
  } catch {
    return argumentsJson || "{}";
  }
}

function button(className, label) {
  const node = el("button", className, label);
  node.type = "button";
  return node;
}

// The question inside a card for one pending interrupt (`info` of an `interrupt` event);
// `onAnswer(payload)` is called once, after the box removed itself.
export function approvalBox(info, onAnswer) {
  const box = el("div", "approval");
  box.setAttribute("role", "group");
  box.setAttribute("aria-label", `Approve ${info.tool_name}?`);
  const question = info.kind === "approval" ? "The agent wants to run this tool." : `The tool asks: ${info.kind}`;
  const approve = button("approve", "Approve");
  const deny = button("deny", "Deny");
  const edit = button("edit", "Edit");
  const buttons = el("div", "approval-buttons");
  buttons.append(approve, deny, edit);

  const original = shown(info.arguments);
  const editor = el("div", "approval-editor");
  editor.hidden = true;
  const label = el("label", "", "Arguments (JSON)");
  const args = el("textarea", "approval-args");
  args.rows = 5;
  args.spellcheck = false;
  label.append(args);
  const problem = el("p", "error-text");
  problem.hidden = true;
  problem.setAttribute("role", "alert");
  const useEdit = button("approve-edited", "Approve with these arguments");
  const dropEdit = button("cancel-edit", "Cancel");
  const editButtons = el("div", "approval-buttons");
  editButtons.append(useEdit, dropEdit);
  editor.append(label, problem, editButtons);
  box.append(el("p", "hint", question), buttons, editor);

  args.addEventListener("input", () => { problem.hidden = true; });
  const answer = (payload) => {
    box.remove();
    onAnswer(payload);
  };
  approve.onclick = () => answer({ approved: true });
  deny.onclick = () => answer({ approved: false, reason: "denied by the user" });
  edit.onclick = () => {
    args.value = original;
    problem.hidden = true;
    buttons.hidden = true;
    editor.hidden = false;
    args.focus();
  };
  dropEdit.onclick = () => {
    editor.hidden = true;
    buttons.hidden = false;
    edit.focus();
  };
  useEdit.onclick = () => {
    if (args.value.trim() === original.trim()) return answer({ approved: true });
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
    answer({ approved: true, arguments: edited });
  };
  return box;
}

// Ask whether to deny the waiting approvals (tool names `names`) and send the new message;
// resolves true if the user agrees, false if they keep them waiting (Escape too).
export function askDenyFirst(dialog, names) {
  return new Promise((resolve) => {
    dialog.querySelector("#deny-first-tools").textContent = names.join(", ");
    const agree = dialog.querySelector("#deny-first-yes");
    const keep = dialog.querySelector("#deny-first-no");
    const done = (agreed) => {
      agree.onclick = keep.onclick = dialog.oncancel = null;
      dialog.close();
      resolve(agreed);
    };
    agree.onclick = () => done(true);
    keep.onclick = () => done(false);
    dialog.oncancel = (e) => {
      e.preventDefault();
      done(false);
    };
    dialog.showModal();
  });
}

// Edit and resend a user message: "Edit" under a user message opens an editor in its place;
// sending the edited text makes a branch of the conversation, a new thread holding the history
// before that message (copied in the worker's store by the `fork` command), lists it as
// "<title> (edited)", opens it and sends the edited text there. The original thread is left as
// it was and stays in the list. Page mode only: an agent at a URL keeps its history on its server.
import { listConversations, touchConversation } from "./conversations.js";
import { el } from "./dom.js";

const BRANCH_MARK = " (edited)";

function button(className, label, name) {
  const node = el("button", className, label);
  node.type = "button";
  if (name) node.setAttribute("aria-label", name);
  return node;
}

export class Brancher {
  // `post(command)`: to the worker. `thread()`: the open thread. `busy()`: whether a run streams
  // (no branch then). `onBranch(threadId, text)`: open the branch and send `text` in it.
  constructor({ root, mode, post, thread, busy, onBranch }) {
    this.root = root;
    this.mode = mode;
    this.post = post;
    this.thread = thread;
    this.busy = busy;
    this.onBranch = onBranch;
    this.forks = new Map(); // new thread id -> {source, index, text}, until the worker made it
    this.close = null; // closes the editor open now, if any
  }

  // The "Edit" of user message `bubble` (text `text`) was pressed: an editor takes its place.
  edit(bubble, text) {
    if (this.busy() || !this.thread() || bubble.hidden) return;
    if (this.close) this.close(); // one editor at a time
    const actions = bubble.nextElementSibling;
    const form = el("form", "msg-editor");
    const input = el("textarea");
    input.value = text;
    input.rows = Math.min(8, text.split("\n").length + 1);
    input.setAttribute("aria-label", "Edit your message");
    const send = el("button", "action send-edit", "Send");
    send.type = "submit";
    send.setAttribute("aria-label", "Send the edited message as a new branch");
    const cancel = button("action cancel-edit", "Cancel", "Cancel editing");
    const row = el("div", "msg-actions");
    row.append(cancel, send);
    form.append(input, row);
    const close = () => {
      form.remove();
      bubble.hidden = false;
      actions.hidden = false;
      if (this.close === close) this.close = null;
    };
    this.close = close;
    cancel.onclick = () => {
      close();
      actions.querySelector("button").focus();
    };
    input.addEventListener("keydown", (e) => {
      if (e.key === "Escape") cancel.onclick();
      if (e.key === "Enter" && !e.shiftKey) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
    form.onsubmit = (e) => {
      e.preventDefault();
      const edited = input.value;
      if (!edited.trim() || this.busy()) return;
      const index = [...this.root.querySelectorAll(":scope > .msg.user:not(.queued)")].indexOf(bubble);
      close();
      this.fork(index, edited);
    };
    bubble.hidden = true;
    actions.hidden = true;
    actions.after(form);
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }

  // Ask the worker for the branch: the open thread's history before its `index`-th user message.
  fork(index, text) {
    const source = this.thread();
    if (index < 0 || !source) return;
    const target = crypto.randomUUID();
    this.forks.set(target, { source, index, text });
    this.post({ op: "fork", thread_id: source, before_user: index, new_thread_id: target });
  }

  // The worker made the branch (a `forked` message): list it, then open it and send the text.
  async forked(message) {
    const fork = this.forks.get(message.new_thread_id);
    if (!fork) return;
    this.forks.delete(message.new_thread_id);
    const conversations = await listConversations(this.mode);
    const source = conversations.find((c) => c.thread_id === fork.source);
    const base = fork.index === 0 || !source ? fork.text.trim().slice(0, 60) : source.title.replace(BRANCH_MARK, "");
    await touchConversation(message.new_thread_id, base + BRANCH_MARK, this.mode, { branch_of: fork.source });
    this.onBranch(message.new_thread_id, fork.text);
  }
}

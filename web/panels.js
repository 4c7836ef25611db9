// The side panels: the plan (the latest `todo` event: one row per step, its status as a mark
// and a word, and how many steps are done) and the files of the agent file's workspace.
import { el } from "./dom.js";

const STATUS = {
  pending: { mark: "○", word: "to do" },
  in_progress: { mark: "◐", word: "in progress" },
  completed: { mark: "✓", word: "done" },
};

export function renderPlan(panel, todos) {
  const done = todos.filter((todo) => todo.status === "completed").length;
  panel.querySelector(".count").textContent = `${done}/${todos.length} done`;
  const rows = todos.map((todo) => {
    const status = STATUS[todo.status] ? todo.status : "pending";
    const row = el("li", "step");
    row.dataset.status = status;
    const mark = el("span", "mark", STATUS[status].mark);
    mark.setAttribute("aria-hidden", "true");
    row.append(mark, el("span", "content", todo.content), el("span", "word", STATUS[status].word));
    return row;
  });
  panel.querySelector("ol").replaceChildren(...rows);
  panel.hidden = false;
}

// The plan as the thread's last `write_todos` call left it (after a reload), or null.
export function planOf(messages) {
  for (const message of [...messages].reverse()) {
    for (const call of [...(message.tool_calls || [])].reverse()) {
      if (call.name !== "write_todos") continue;
      try {
        const todos = JSON.parse(call.arguments).todos;
        return Array.isArray(todos) ? todos : null;
      } catch {
        return null;
      }
    }
  }
  return null;
}

function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function renderFiles(panel, files) {
  panel.querySelector(".count").textContent = files.length === 1 ? "1 file" : `${files.length} files`;
  const rows = files.map((file) => {
    const row = el("li", "file");
    row.append(el("code", "path", file.path), el("span", "size", size(file.size)));
    return row;
  });
  panel.querySelector("ul").replaceChildren(...(rows.length ? rows : [el("li", "empty", "No files yet.")]));
}

// The eval tab: a small JSONL dataset and its variants (pasted, opened from a file, or the built-in
// example) run in the worker against the page's agent with the same EvalRunner as `remi eval`
// (remi_web.browser.evals_bridge); a progress bar while the runs go, then the comparison table (the
// mean of each score per variant, ± half its interval over repeats), every run, and the HTML report
// to download. Answers are shown as text (textContent), never as markup.
import { el } from "./dom.js";

// The built-in example (web/evals_example*.jsonl, also a dataset for `remi eval`): it works against
// the built-in mock model, which uses the calculator for arithmetic, counts and echoes, and cannot know
// a capital (a case that fails, so the scores are not all 1).
export const EXAMPLE_FILES = { dataset: "evals_example.jsonl", variants: "evals_example_variants.jsonl" };

async function fetchText(name) {
  const response = await fetch(new URL(name, location.href), { cache: "no-store" });
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  return response.text();
}

function number(value, digits = 2) {
  return value === null || value === undefined ? "-" : value.toFixed(digits);
}

// A cell of the comparison: "0.80 ±0.05", "-" without a value, and how many scorers failed.
function scoreText(cell) {
  let text = "-";
  if (cell && cell.mean !== null) {
    text = number(cell.mean);
    if (cell.low !== null && cell.high !== null) text += ` ±${number((cell.high - cell.low) / 2)}`;
  }
  if (cell && cell.errors) text += ` (${cell.errors} failed)`;
  return text;
}

function headRow(names) {
  const row = el("tr");
  for (const name of names) {
    const th = el("th", null, name);
    th.scope = "col";
    row.append(th);
  }
  return row;
}

function bodyRow(header, cells) {
  const row = el("tr");
  const th = el("th", null, header);
  th.scope = "row";
  row.append(th, ...cells.map((text) => el("td", null, text)));
  return row;
}

// The comparison: a row per variant, a column per score name, then the runs' overall mean.
export function renderComparison(table, report) {
  const names = [...report.scorers, "overall"];
  table.tHead.replaceChildren(headRow(["variant", "runs", "done", "errors", "latency", ...names]));
  const rows = report.variants.map((variant) => {
    const cells = names.map((name) => scoreText(name === "overall"
      ? variant.overall
      : report.scores.find((cell) => cell.variant_id === variant.variant_id && cell.scorer === name)));
    const row = bodyRow(variant.label, [
      String(variant.runs), String(variant.ends.done || 0), String(variant.ends.error || 0),
      variant.mean_latency === null ? "-" : `${number(variant.mean_latency)} s`, ...cells,
    ]);
    row.dataset.variant = variant.variant_id;
    return row;
  });
  table.tBodies[0].replaceChildren(...rows);
  const spread = report.repeats > 1
    ? `± is half the ${Math.round(report.confidence * 100)}% t-interval over ${report.repeats} repeats.`
    : "One repeat: means without intervals (run more repeats for them).";
  table.caption.textContent = `${report.cases} case(s) under ${report.variants.length} variant(s). ${spread}`;
}

// Every run: case, variant, repeat, how it ended, its scores, latency and answer (or error).
export function renderRuns(table, runs) {
  table.tHead.replaceChildren(headRow(["case", "variant", "repeat", "end", "scores", "latency", "answer"]));
  const rows = runs.map(({ run, scores }) => {
    const scored = scores.map((score) => (score.value === null ? `${score.name} failed` : `${score.name} ${number(score.value)}`));
    const answer = run.final_text || (run.error ? run.error.message : "");
    const row = bodyRow(run.case_id, [
      run.variant_label, String(run.repeat), run.end, scored.join(", ") || "-", `${number(run.latency)} s`, answer,
    ]);
    row.dataset.end = run.end;
    return row;
  });
  table.tBodies[0].replaceChildren(...rows);
}

// The scorers field: built-in names separated by commas.
function scorerNames(text) {
  const names = text.split(",").map((name) => name.trim()).filter(Boolean);
  return names.length ? names : ["contains"];
}

// Wire the tab. `post` sends a command to the worker; `onStart` tells the page a run began (the chat
// waits meanwhile). Returns `receive` (the worker's eval_* messages) and `update` (ready, running).
export function bindEvals({ root, toggle, post, onStart }) {
  const $ = (id) => root.querySelector(`#${id}`);
  const state = { ready: false, running: false, mine: false, download: null };

  function show(open) {
    document.body.dataset.view = open ? "evals" : "chat";
    toggle.setAttribute("aria-pressed", String(open));
    root.hidden = !open;
    if (open) $("evals-dataset").focus();
  }

  function refresh() {
    $("evals-run").disabled = !state.ready || state.running;
    $("evals-stop").hidden = !state.mine;
  }

  function fail(text) {
    $("evals-error").textContent = text;
    $("evals-error").hidden = !text;
  }

  toggle.onclick = () => show(root.hidden);
  // Opening a conversation (or a new one) goes back to the chat.
  for (const id of ["threads", "new-chat"]) {
    document.getElementById(id).addEventListener("click", () => show(false));
  }
  $("evals-example").onclick = async () => {
    try {
      const [dataset, variants] = await Promise.all([fetchText(EXAMPLE_FILES.dataset), fetchText(EXAMPLE_FILES.variants)]);
      $("evals-dataset").value = dataset;
      $("evals-variants").value = variants;
      fail("");
    } catch (error) {
      fail(`Could not load the example: ${error.message}`);
    }
  };
  $("evals-file").onchange = async (event) => {
    const file = event.target.files[0];
    if (file) $("evals-dataset").value = await file.text();
    event.target.value = "";
  };
  $("evals-stop").onclick = () => post({ op: "cancel" });
  $("evals-form").onsubmit = (event) => {
    event.preventDefault();
    const dataset = $("evals-dataset").value;
    if (!dataset.trim()) return fail("Paste a dataset first (or use the example): one JSON case per line.");
    fail("");
    state.mine = true;
    onStart();
    $("evals-status").textContent = "Starting…";
    post({
      op: "eval",
      dataset,
      variants: $("evals-variants").value,
      scorers: scorerNames($("evals-scorers").value),
      repeats: Number($("evals-repeats").value) || 1,
    });
    refresh();
  };

  function finished() {
    state.mine = false;
    $("evals-progress").hidden = true;
    refresh();
  }

  function receive(message) {
    switch (message.kind) {
      case "eval_started":
        $("evals-progress").max = message.total;
        $("evals-progress").value = 0;
        $("evals-progress").hidden = false;
        $("evals-status").textContent = `0/${message.total} runs`;
        return;
      case "eval_progress":
        $("evals-progress").value = message.done;
        $("evals-status").textContent = `${message.done}/${message.total} runs`;
        return;
      case "eval_result": {
        finished();
        renderComparison($("evals-table"), message.report);
        renderRuns($("evals-runs"), message.runs);
        if (state.download) URL.revokeObjectURL(state.download);
        state.download = URL.createObjectURL(new Blob([message.html], { type: "text/html" }));
        $("evals-download").href = state.download;
        $("evals-results").hidden = false;
        const ends = message.report.variants.reduce((sum, variant) => sum + (variant.ends.cancelled || 0), 0);
        $("evals-status").textContent = `Done: ${message.runs.length} runs${ends ? ` (${ends} cancelled)` : ""}.`;
        window.remi.evalResult = message; // for tests and the console
        return;
      }
      case "eval_error":
        finished();
        $("evals-status").textContent = "";
        fail(`The evaluation could not run: ${message.message}`);
        return;
      default:
        return;
    }
  }

  function update({ ready, running }) {
    state.ready = ready;
    state.running = running;
    refresh();
  }

  refresh();
  return { receive, update };
}

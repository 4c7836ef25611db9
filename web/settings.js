// The settings panel: model API and endpoint, model, API key, and where the agent runs. Kept in
// localStorage only; the server's /config.json gives the defaults (the built-in mock model).
// Saving refuses a base URL (or, for an agent at a URL, an agent URL) that is not http(s) with a
// host; "Test" asks the endpoint for `<base>/models` and says whether it answered.
const KEY = "remi-web-settings";
const FIELDS = ["api", "base_url", "model", "api_key", "agent_url", "agent_token"];
const TEST_TIMEOUT_MS = 10_000;

// What is wrong with `value` as the URL called `what`, or null if it is an http(s) URL with a host.
export function urlProblem(value, what) {
  let url;
  try {
    url = new URL(value);
  } catch {
    return `The ${what} must be a URL such as http://127.0.0.1:8765/v1 (got "${value}").`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `The ${what} must start with http:// or https://.`;
  if (!url.hostname) return `The ${what} must name a host.`;
  return null;
}

// The first problem of the settings `values` as [field, message], or null.
function problemOf(values) {
  if (values.mode === "page" || values.base_url) {
    const problem = urlProblem(values.base_url, "model base URL");
    if (problem) return ["base_url", problem];
  }
  if (values.mode === "remote") {
    const problem = urlProblem(values.agent_url, "agent URL");
    if (problem) return ["agent_url", problem];
  }
  return null;
}

// The headers that list the models of `api` with `apiKey` (Anthropic: its key header, version and
// the opt-in its API asks of browser callers).
function modelsHeaders(api, apiKey) {
  if (api !== "anthropic") return apiKey ? { Authorization: `Bearer ${apiKey}` } : {};
  const headers = { "anthropic-version": "2023-06-01", "anthropic-dangerous-direct-browser-access": "true" };
  return apiKey ? { ...headers, "x-api-key": apiKey } : headers;
}

// Ask the endpoint at `base` for its models; a sentence saying what happened, and whether it worked.
// The base URL ends with /v1 for every API (Anthropic's client drops it: its paths start with /v1).
async function testEndpoint(base, apiKey, api) {
  const problem = urlProblem(base, "model base URL");
  if (problem) return { ok: false, text: problem };
  const root = base.replace(/\/+$/, "");
  const models = api === "anthropic" && !root.endsWith("/v1") ? root + "/v1/models" : root + "/models";
  try {
    const response = await fetch(models, {
      headers: modelsHeaders(api, apiKey),
      cache: "no-store",
      signal: AbortSignal.timeout(TEST_TIMEOUT_MS),
    });
    if (!response.ok) return { ok: false, text: `Not reachable: HTTP ${response.status} ${response.statusText}`.trim() };
    const body = await response.json().catch(() => null);
    const count = body && Array.isArray(body.data) ? body.data.length : null;
    return { ok: true, text: count === null ? "Reachable." : `Reachable: ${count} model${count === 1 ? "" : "s"}.` };
  } catch (error) {
    return { ok: false, text: `Not reachable: ${error.name === "TimeoutError" ? "no answer in 10 s" : error.message}` };
  }
}

export async function loadDefaults() {
  const response = await fetch("config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const config = await response.json();
  return { mode: "page", api: "chat", base_url: config.base_url, model: config.model, api_key: "", agent_url: "", agent_token: "" };
}

export function loadSettings(defaults) {
  try {
    return { ...defaults, ...JSON.parse(localStorage.getItem(KEY) || "{}") };
  } catch {
    return { ...defaults };
  }
}

export function bindSettingsPanel(dialog, defaults, current, onSave) {
  const form = dialog.querySelector("form");
  const error = dialog.querySelector("#settings-error");
  const check = dialog.querySelector("#settings-check");
  const complain = (problem) => {
    for (const name of FIELDS) form.elements[name].removeAttribute("aria-invalid");
    error.hidden = !problem;
    error.textContent = problem ? problem[1] : "";
    if (!problem) return;
    form.elements[problem[0]].setAttribute("aria-invalid", "true");
    form.elements[problem[0]].focus();
  };
  const read = () => {
    const values = { mode: form.elements.mode.value };
    for (const name of FIELDS) values[name] = form.elements[name].value.trim();
    return values;
  };
  const fill = (values) => {
    for (const name of FIELDS) form.elements[name].value = values[name] || (name === "api" ? "chat" : "");
    form.elements.mode.value = values.mode || "page";
    complain(null);
    check.textContent = "";
    delete check.dataset.ok;
  };
  document.getElementById("open-settings").addEventListener("click", () => {
    fill(current());
    dialog.showModal();
  });
  document.getElementById("settings-reset").addEventListener("click", () => fill(defaults));
  document.getElementById("settings-test").addEventListener("click", async () => {
    check.textContent = "Testing…";
    delete check.dataset.ok;
    const result = await testEndpoint(
      form.elements.base_url.value.trim(), form.elements.api_key.value.trim(), form.elements.api.value,
    );
    check.textContent = result.text;
    check.dataset.ok = String(result.ok);
  });
  form.addEventListener("input", () => { if (!error.hidden) complain(null); }); // being fixed
  form.addEventListener("submit", (e) => {
    if (!e.submitter || e.submitter.value !== "save") return;
    const problem = problemOf(read());
    complain(problem);
    if (problem) e.preventDefault(); // the panel stays open until the URL is right
  });
  dialog.addEventListener("close", () => {
    if (dialog.returnValue !== "save") return;
    const values = read();
    localStorage.setItem(KEY, JSON.stringify(values));
    onSave({ ...defaults, ...values });
  });
}

// The settings panel: model endpoint, model, API key, and where the agent runs. Kept in
// localStorage only; the server's /config.json gives the defaults (the built-in mock model).
const KEY = "remi-web-settings";
const FIELDS = ["base_url", "model", "api_key", "agent_url", "agent_token"];

export async function loadDefaults() {
  const response = await fetch("config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const config = await response.json();
  return { mode: "page", base_url: config.base_url, model: config.model, api_key: "", agent_url: "", agent_token: "" };
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
  const fill = (values) => {
    for (const name of FIELDS) form.elements[name].value = values[name] || "";
    form.elements.mode.value = values.mode || "page";
  };
  document.getElementById("open-settings").addEventListener("click", () => {
    fill(current());
    dialog.showModal();
  });
  document.getElementById("settings-reset").addEventListener("click", () => fill(defaults));
  dialog.addEventListener("close", () => {
    if (dialog.returnValue !== "save") return;
    const values = { mode: form.elements.mode.value };
    for (const name of FIELDS) values[name] = form.elements[name].value.trim();
    localStorage.setItem(KEY, JSON.stringify(values));
    onSave({ ...defaults, ...values });
  });
}

// The playground page: loads a policy's transpiled component (policies/<name>/js/policy.js,
// the ES module `jco transpile` wrote) and its fixtures, and decides the edited request on
// every keystroke. Browser-only code: no Node module, no server beyond static files.
import { compare } from "./vendor/fast-json-patch/index.mjs";

const $ = (id) => document.getElementById(id);
const state = { policy: null, host: null, fixtures: null };

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

function fill(select, names) {
  select.replaceChildren(...names.map((n) => new Option(n, n)));
}

/** The clock the policy sees: the field's RFC 3339 time, or the real one when empty. */
function nowNanos() {
  const text = $("now").value.trim();
  const ms = text === "" ? Date.now() : Date.parse(text);
  return BigInt(Number.isNaN(ms) ? Date.now() : ms) * 1000000n;
}

async function loadPolicy(name) {
  setStatus(`loading ${name}…`);
  const base = `./policies/${encodeURIComponent(name)}`;
  const [fixtures, policy, host] = await Promise.all([
    fetch(`${base}/fixtures.json`).then((r) => {
      if (!r.ok) throw new Error(`${base}/fixtures.json: HTTP ${r.status}`);
      return r.json();
    }),
    import(`${base}/js/policy.js`),
    import(`${base}/js/host.js`),
  ]);
  host.setHost({ nowNanos });
  Object.assign(state, { policy, host, fixtures });
  $("description").textContent = fixtures.description;
  $("now").value = fixtures.now ?? "";
  fill($("request-fixture"), fixtures.requests.map((r) => r.name));
  fill($("settings-fixture"), fixtures.settings.map((s) => s.name));
  showRequestFixture();
  showSettingsFixture();
  setStatus(`${name} ready`);
  evaluate();
}

function showRequestFixture() {
  const f = state.fixtures.requests.find((r) => r.name === $("request-fixture").value);
  $("request").value = f ? JSON.stringify(f.request, null, 2) : "";
}

function showSettingsFixture() {
  const f = state.fixtures.settings.find((s) => s.name === $("settings-fixture").value);
  $("settings").value = f ? JSON.stringify(f.settings, null, 2) : "{}";
}

/** Parsed JSON, or undefined (the textarea is marked) when it does not parse. */
function parsed(textarea) {
  try {
    const value = JSON.parse(textarea.value);
    textarea.classList.remove("invalid");
    return { value };
  } catch (e) {
    textarea.classList.add("invalid");
    return { error: e.message };
  }
}

function show(response, requestObject) {
  const decision = $("decision");
  decision.textContent = response.accepted ? "Accepted" : "Rejected";
  decision.className = `decision ${response.accepted ? "accepted" : "rejected"}`;
  $("code").textContent = response.code ?? "–";
  $("message").textContent = response.message ?? "–";
  $("warnings").replaceChildren(...(response.warnings ?? []).map((w) => Object.assign(document.createElement("li"), { textContent: w })));
  // The JSON Patch policy-server would send: the request object → mutated_object.
  $("patch").textContent = response.mutated_object === undefined
    ? "–"
    : JSON.stringify(compare(requestObject ?? {}, response.mutated_object), null, 2);
  const rows = Object.entries(response.audit_annotations ?? {}).map(([k, v]) => {
    const tr = document.createElement("tr");
    tr.append(Object.assign(document.createElement("td"), { textContent: k }), Object.assign(document.createElement("td"), { textContent: v }));
    return tr;
  });
  $("annotations").replaceChildren(...rows);
  $("raw").textContent = JSON.stringify(response, null, 2);
}

function evaluate() {
  if (!state.policy) return;
  const settingsText = $("settings").value;
  const settings = parsed($("settings"));
  const request = parsed($("request"));
  const verdict = JSON.parse(state.policy.validateSettings(settingsText));
  const sv = $("settings-verdict");
  sv.textContent = verdict.valid ? "" : `Settings rejected: ${verdict.message ?? "invalid"}`;
  sv.className = verdict.valid ? "" : "invalid";
  // The component answers malformed JSON with a rejection naming the problem; show that too.
  const response = JSON.parse(state.policy.validate($("request").value, settingsText));
  show(response, request.value?.object);
  if (request.error || settings.error) setStatus(`JSON error: ${request.error ?? settings.error}`, true);
  else setStatus(`${state.fixtures.name} ready`);
}

async function main() {
  try {
    const names = await fetch("./policies.json").then((r) => r.json());
    fill($("policy"), names);
    const wanted = new URLSearchParams(location.search).get("policy");
    if (wanted && names.includes(wanted)) $("policy").value = wanted;
    $("policy").addEventListener("change", () => loadPolicy($("policy").value).catch(fail));
    $("request-fixture").addEventListener("change", () => { showRequestFixture(); evaluate(); });
    $("settings-fixture").addEventListener("change", () => { showSettingsFixture(); evaluate(); });
    for (const id of ["request", "settings", "now"]) $(id).addEventListener("input", evaluate);
    await loadPolicy($("policy").value);
  } catch (e) {
    fail(e);
  }
}

function fail(e) {
  setStatus(`error: ${e.message ?? e}`, true);
  console.error(e);
}

main();

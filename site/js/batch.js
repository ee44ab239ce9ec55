// Batch scoring: upload a file of applications (CSV or JSON lines) with a progress bar, follow its
// scoring, download the results as CSV; the officer's recent batches below.
import { api, session } from "./api.js";
import { h, saveFile } from "./dom.js";
import { currentLanguage, number, t, when } from "./i18n.js";

const MAX_LISTED = 20;

/** Uploads `file` to api/batches, reporting the share sent; resolves to {status, data}. */
function upload(file, onProgress) {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open("POST", `api/batches?name=${encodeURIComponent(file.name)}`);
    request.setRequestHeader("Authorization", `Bearer ${session.token}`);
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("Accept-Language", currentLanguage());
    request.setRequestHeader("Content-Type", /\.(jsonl|ndjson)$/i.test(file.name) ? "application/x-ndjson" : "text/csv");
    request.upload.addEventListener("progress", (event) => { if (event.lengthComputable) onProgress(event.loaded / event.total); });
    request.addEventListener("load", () => {
      let data = null;
      try { data = JSON.parse(request.responseText); } catch { data = null; }
      resolve({ status: request.status, data });
    });
    request.addEventListener("error", () => resolve({ status: 0, data: { detail: t("batch.not_sent") } }));
    request.addEventListener("timeout", () => resolve({ status: 0, data: { detail: t("api.timeout") } }));
    request.timeout = 300000;
    request.send(file);
  });
}

/** Fetches `path` with the session's token and the page's language, and saves it as `name`. */
async function fetchFile(path, name, status) {
  status.textContent = t("batch.preparing");
  let response;
  try {
    response = await fetch(path, { headers: { Authorization: `Bearer ${session.token}`, "Accept-Language": currentLanguage() } });
  } catch {
    status.textContent = t("batch.download_failed");
    return;
  }
  if (!response.ok) { status.textContent = t("batch.download_failed"); return; }
  saveFile(await response.blob(), name);
  status.textContent = t("batch.downloaded");
}

/** A batch's results, in the dialect of the file that was uploaded (the service's default). */
const download = (batch, status) => fetchFile(`api/batches/${batch.id}/results.csv`, `${batch.name.replace(/\.[^.]*$/, "")}-${t("batch.results_suffix")}.csv`, status);

function describe(batch) {
  if (batch.status === "done") return batch.failed ? t("batch.done_failed", { rows: number(batch.rows), failed: number(batch.failed) }) : t("batch.done", { rows: number(batch.rows) });
  return t("batch.progress", { scored: number(batch.done + batch.failed), rows: number(batch.rows) });
}

export async function batchView() {
  const input = h("input", { id: "batch-file", type: "file", accept: ".csv,.jsonl,.ndjson,text/csv", "aria-describedby": "batch-help" });
  const send = h("button", { class: "primary", type: "submit", id: "batch-send" }, t("batch.send"));
  const sent = h("progress", { id: "batch-upload", max: "100", value: "0", hidden: true, "aria-label": t("batch.upload") });
  const scored = h("progress", { id: "batch-scoring", max: "100", value: "0", hidden: true, "aria-label": t("batch.scoring") });
  const status = h("p", { id: "batch-status", class: "meta", role: "status", "aria-live": "polite" });
  const problems = h("div", { id: "batch-problems", class: "error-summary", tabindex: "-1", hidden: true });
  const getResults = h("button", { class: "secondary", type: "button", id: "batch-download", hidden: true }, t("batch.download"));
  const template = h("button", { class: "link", type: "button", id: "batch-template" }, t("batch.template"));
  const recent = h("tbody");
  const columns = ["uploaded", "file", "rows", "state", "results"].map((key) => t(`batch.column_${key}`));
  let current = null, timer = null, stopped = false;

  function showProblems(data) {
    const rows = data?.rows || [];
    problems.replaceChildren(h("h2", {}, data?.title || t("batch.cannot_score")), h("p", {}, data?.detail || ""),
      rows.length ? h("ul", {}, rows.slice(0, 50).map((row) => h("li", {}, `${t("batch.line", { line: row.line })} ` + Object.entries(row.errors)
        .map(([field, messages]) => `${field || t("batch.row")}: ${messages.join(" ")}`).join("; ")))) : null,
      rows.length > 50 ? h("p", {}, t("batch.more_rows", { count: number(data.invalid_rows - 50) })) : null);
    problems.hidden = false;
    problems.focus();
  }

  async function follow(delay = 500) {
    if (stopped || !current) return;
    const { status: code, data } = await api(`api/batches/${current.id}`);
    if (stopped) return;
    if (code === 200) {
      current = data;
      scored.value = String(Math.round(100 * (data.done + data.failed) / data.rows));
      status.textContent = describe(data);
      if (data.status === "done") { getResults.hidden = false; listRecent(); return; }
    } else if (code !== 0 && code !== 503) {
      status.textContent = data?.detail || t("batch.progress_failed");
      return;
    }
    timer = setTimeout(() => follow(Math.min(delay * 1.5, 5000)), delay);
  }

  async function submit(event) {
    event.preventDefault();
    const file = input.files[0];
    problems.hidden = true;
    getResults.hidden = true;
    if (!file) { status.textContent = t("batch.choose"); input.focus(); return; }
    send.disabled = true;
    sent.hidden = false;
    sent.value = "0";
    status.textContent = t("batch.sending", { name: file.name });
    const { status: code, data } = await upload(file, (share) => { sent.value = String(Math.round(share * 100)); });
    send.disabled = false;
    sent.hidden = true;
    if (code === 202) {
      current = data;
      scored.hidden = false;
      scored.value = "0";
      status.textContent = t("batch.queued", { rows: number(data.rows) });
      follow();
    } else if (code === 401) {
      // api.js ends the session on the next call
    } else {
      status.textContent = code === 413 ? t("batch.too_large") : "";
      if (code !== 413) showProblems(data);
    }
  }

  async function listRecent() {
    const { status: code, data } = await api("api/batches");
    if (code !== 200) return;
    recent.replaceChildren(...data.items.slice(0, MAX_LISTED).map((batch) => {
      const button = h("button", { class: "link", type: "button", "aria-label": t("batch.download_of", { name: batch.name }) }, t("batch.download_short"));
      button.addEventListener("click", () => download(batch, status));
      const cell = (index, ...content) => h("td", { dataset: { label: columns[index] } }, ...content);
      return h("tr", {}, cell(0, when(batch.created_at)), cell(1, batch.name), cell(2, number(batch.rows)),
        cell(3, batch.status === "done" ? t("batch.state_done") : describe(batch)), cell(4, button));
    }));
  }

  getResults.addEventListener("click", () => download(current, status));
  template.addEventListener("click", () => fetchFile("api/batches/template.csv", `${t("batch.template_file")}.csv`, status));
  const form = h("form", { id: "batch-form", novalidate: true, onsubmit: submit },
    h("div", { class: "field" }, h("label", { for: "batch-file" }, t("batch.file")), input,
      h("p", { id: "batch-help", class: "meta" }, t("batch.help"), " ", template)),
    h("div", { class: "actions" }, send), sent);
  const element = h("div", {}, h("h1", {}, t("title.batch")), form, problems, scored, status, h("div", { class: "actions" }, getResults),
    h("h2", {}, t("batch.recent")),
    h("div", { class: "table-wrap" }, h("table", { id: "batches", class: "cards" },
      h("thead", {}, h("tr", {}, columns.map((text) => h("th", { scope: "col" }, text)))), recent)));
  listRecent();
  return { element, stop() { stopped = true; clearTimeout(timer); } };
}

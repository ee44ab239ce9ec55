// Batch scoring: upload a file of applications (CSV or JSON lines) with a progress bar, follow its
// scoring, download the results as CSV; the officer's recent batches below.
import { api, session } from "./api.js";
import { h, when } from "./dom.js";

const MAX_LISTED = 20;

/** Uploads `file` to api/batches, reporting the share sent; resolves to {status, data}. */
function upload(file, onProgress) {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open("POST", `api/batches?name=${encodeURIComponent(file.name)}`);
    request.setRequestHeader("Authorization", `Bearer ${session.token}`);
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("Content-Type", /\.(jsonl|ndjson)$/i.test(file.name) ? "application/x-ndjson" : "text/csv");
    request.upload.addEventListener("progress", (event) => { if (event.lengthComputable) onProgress(event.loaded / event.total); });
    request.addEventListener("load", () => {
      let data = null;
      try { data = JSON.parse(request.responseText); } catch { data = null; }
      resolve({ status: request.status, data });
    });
    request.addEventListener("error", () => resolve({ status: 0, data: { detail: "The file could not be sent. Check your connection and try again." } }));
    request.addEventListener("timeout", () => resolve({ status: 0, data: { detail: "The service did not answer in time." } }));
    request.timeout = 300000;
    request.send(file);
  });
}

/** Fetches a batch's results with the session's token and saves them as a file. */
async function download(batch, status) {
  status.textContent = "Preparing the results…";
  let response;
  try {
    response = await fetch(`api/batches/${batch.id}/results.csv`, { headers: { Authorization: `Bearer ${session.token}` } });
  } catch {
    status.textContent = "The results could not be downloaded. Check your connection and try again.";
    return;
  }
  if (!response.ok) { status.textContent = "The results could not be downloaded; try again."; return; }
  const link = h("a", { href: URL.createObjectURL(await response.blob()), download: `${batch.name.replace(/\.[^.]*$/, "")}-results.csv` });
  document.body.append(link);
  link.click();
  link.remove();
  status.textContent = "Results downloaded.";
}

function describe(batch) {
  if (batch.status === "done") return `${batch.rows} applications scored${batch.failed ? `, ${batch.failed} failed` : ""}.`;
  return `${batch.done + batch.failed} of ${batch.rows} applications scored…`;
}

export async function batchView() {
  const input = h("input", { id: "batch-file", type: "file", accept: ".csv,.jsonl,.ndjson,text/csv", "aria-describedby": "batch-help" });
  const send = h("button", { class: "primary", type: "submit", id: "batch-send" }, "Upload and score");
  const sent = h("progress", { id: "batch-upload", max: "100", value: "0", hidden: true, "aria-label": "Upload" });
  const scored = h("progress", { id: "batch-scoring", max: "100", value: "0", hidden: true, "aria-label": "Scoring" });
  const status = h("p", { id: "batch-status", class: "meta", role: "status", "aria-live": "polite" });
  const problems = h("div", { id: "batch-problems", class: "error-summary", tabindex: "-1", hidden: true });
  const getResults = h("button", { class: "secondary", type: "button", id: "batch-download", hidden: true }, "Download results (CSV)");
  const recent = h("tbody");
  let current = null, timer = null, stopped = false;

  function showProblems(data) {
    const rows = data?.rows || [];
    problems.replaceChildren(h("h2", {}, data?.title || "The file cannot be scored"), h("p", {}, data?.detail || ""),
      rows.length ? h("ul", {}, rows.slice(0, 50).map((row) => h("li", {}, `Line ${row.line}: ` + Object.entries(row.errors)
        .map(([field, messages]) => `${field || "row"}: ${messages.join(" ")}`).join("; ")))) : null,
      rows.length > 50 ? h("p", {}, `…and ${data.invalid_rows - 50} more rows.`) : null);
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
      status.textContent = data?.detail || "The batch's progress cannot be read.";
      return;
    }
    timer = setTimeout(() => follow(Math.min(delay * 1.5, 5000)), delay);
  }

  async function submit(event) {
    event.preventDefault();
    const file = input.files[0];
    problems.hidden = true;
    getResults.hidden = true;
    if (!file) { status.textContent = "Choose a CSV or JSON-lines file first."; input.focus(); return; }
    send.disabled = true;
    sent.hidden = false;
    sent.value = "0";
    status.textContent = `Sending ${file.name}…`;
    const { status: code, data } = await upload(file, (share) => { sent.value = String(Math.round(share * 100)); });
    send.disabled = false;
    sent.hidden = true;
    if (code === 202) {
      current = data;
      scored.hidden = false;
      scored.value = "0";
      status.textContent = `${data.rows} applications queued; scoring…`;
      follow();
    } else if (code === 401) {
      // api.js ends the session on the next call
    } else {
      status.textContent = code === 413 ? "The file is too large: at most 64 MiB and 100,000 applications." : "";
      if (code !== 413) showProblems(data);
    }
  }

  async function listRecent() {
    const { status: code, data } = await api("api/batches");
    if (code !== 200) return;
    recent.replaceChildren(...data.items.slice(0, MAX_LISTED).map((batch) => {
      const button = h("button", { class: "link", type: "button" }, "Download");
      button.addEventListener("click", () => download(batch, status));
      return h("tr", {}, h("td", {}, when(batch.created_at)), h("td", {}, batch.name), h("td", {}, String(batch.rows)),
        h("td", {}, batch.status === "done" ? "Done" : describe(batch)), h("td", {}, button));
    }));
  }

  getResults.addEventListener("click", () => download(current, status));
  const form = h("form", { id: "batch-form", novalidate: true, onsubmit: submit },
    h("div", { class: "field" }, h("label", { for: "batch-file" }, "File of applications"), input,
      h("p", { id: "batch-help", class: "meta" },
        "CSV with a header row of field names (commas, or semicolons with decimal commas as Brazilian spreadsheets write them), "
        + "or JSON lines: one application a line. Up to 100,000 applications. Every row is checked before any is scored.")),
    h("div", { class: "actions" }, send), sent);
  const element = h("div", {}, h("h1", {}, "Batch scoring"), form, problems, scored, status, h("div", { class: "actions" }, getResults),
    h("h2", {}, "Recent batches"),
    h("div", { class: "table-wrap" }, h("table", { id: "batches" },
      h("thead", {}, h("tr", {}, ["Uploaded", "File", "Rows", "Status", "Results"].map((t) => h("th", { scope: "col" }, t)))), recent)));
  listRecent();
  return { element, stop() { stopped = true; clearTimeout(timer); } };
}

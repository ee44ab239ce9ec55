import { api } from "./api.js";
import { h, percent, when } from "./dom.js";

const words = { approve: "Approve", review: "Refer for review", reject: "Reject" };

/** A CSV field: quoted when it holds a separator, a quote or a line break; a leading = + - @ is
 *  prefixed with ' so that a spreadsheet never runs it as a formula. */
function csvField(value) {
  let text = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r;]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The officer's own applications, newest first, loading more on demand, with filters, a search
 *  and an export of what is shown. */
export async function historyView() {
  const body = h("tbody");
  const more = h("button", { class: "secondary", type: "button", hidden: true }, "Load more");
  const empty = h("p", { class: "meta", role: "status" });
  const table = h("table", { id: "history", tabindex: "-1" }, h("caption", { class: "meta" }, "Your applications, newest first"),
    h("thead", {}, h("tr", {}, ["Submitted", "Applicant", "Client id", "Status", "Decision", "PD", "Score"].map((t) => h("th", { scope: "col" }, t)))), body);
  const decision = h("select", { id: "filter-decision" }, h("option", { value: "" }, "All decisions"),
    Object.entries(words).map(([code, word]) => h("option", { value: code }, word)), h("option", { value: "pending" }, "Not scored yet"));
  const from = h("input", { id: "filter-from", type: "date" });
  const to = h("input", { id: "filter-to", type: "date" });
  const search = h("input", { id: "filter-search", type: "search" });
  const exportButton = h("button", { class: "secondary", type: "button", id: "export-csv" }, "Export CSV");
  const filters = h("div", { class: "filters", role: "search" },
    h("div", { class: "field" }, h("label", { for: "filter-decision" }, "Decision"), decision),
    h("div", { class: "field" }, h("label", { for: "filter-from" }, "Submitted from"), from),
    h("div", { class: "field" }, h("label", { for: "filter-to" }, "to"), to),
    h("div", { class: "field" }, h("label", { for: "filter-search" }, "Applicant name or client id"), search));
  const jobs = [];
  let next = "api/predictions?limit=20";

  function matches(job) {
    const r = job.result;
    if (decision.value === "pending" ? r : decision.value && r?.decision !== decision.value) return false;
    const at = new Date(job.submitted_at);  // the officer's own calendar day, as the date inputs are
    const day = `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, "0")}-${String(at.getDate()).padStart(2, "0")}`;
    if (from.value && day < from.value) return false;
    if (to.value && day > to.value) return false;
    const needle = search.value.trim().toLowerCase();
    return !needle || (job.applicant_name || "").toLowerCase().includes(needle) || String(job.client_id ?? "").toLowerCase().includes(needle);
  }

  function shown() { return jobs.filter(matches); }

  function show() {
    const rows = shown().map((job) => {
      const r = job.result;
      return h("tr", {},
        h("td", {}, h("a", { href: `#/result/${job.id}` }, when(job.submitted_at))),
        h("td", {}, job.applicant_name || "—"),
        h("td", {}, job.client_id ?? "—"),
        h("td", {}, job.status),
        h("td", {}, r ? words[r.decision] : "—"),
        h("td", {}, r ? percent(r.probability_of_default) : "—"),
        h("td", {}, r ? String(r.score) : "—"));
    });
    body.replaceChildren(...rows);
    empty.textContent = !jobs.length ? "No applications yet." : rows.length ? `${rows.length} of ${jobs.length} loaded applications shown.`
      : "No loaded application matches; load more or change the filters.";
  }

  async function load() {
    more.disabled = true;
    const { status, data } = await api(next);
    more.disabled = false;
    if (status !== 200) { empty.textContent = data?.detail || "The history cannot be loaded."; return; }
    jobs.push(...data.items);
    next = data.next;
    more.hidden = !next;
    show();
  }

  function exportCSV() {
    const header = ["id", "submitted_at", "applicant_name", "client_id", "status", "decision", "probability_of_default", "score", "model"];
    const lines = [header.join(",")].concat(shown().map((job) => {
      const r = job.result;
      return [job.id, job.submitted_at, job.applicant_name, job.client_id, job.status, r?.decision, r?.probability_of_default, r?.score, r?.model]
        .map(csvField).join(",");
    }));
    // A byte-order mark, so that spreadsheets read accented names as UTF-8.
    const link = h("a", { href: URL.createObjectURL(new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], { type: "text/csv" })),
                          download: `applications-${new Date().toISOString().slice(0, 10)}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
  }

  for (const control of [decision, from, to, search]) for (const kind of ["input", "change"]) control.addEventListener(kind, show);
  exportButton.addEventListener("click", exportCSV);
  // After loading, focus stays on "Load more" (or on the table when nothing is left).
  more.addEventListener("click", async () => { await load(); (more.hidden ? table : more).focus(); });
  await load();
  return h("div", {}, h("h1", {}, "History"), filters, h("div", { class: "table-wrap" }, table), empty,
    h("div", { class: "actions" }, more, exportButton));
}

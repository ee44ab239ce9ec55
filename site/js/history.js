import { api } from "./api.js";
import { h, saveFile } from "./dom.js";
import { csvBlob } from "./csv.js";
import { day, parseDay, percent, t, when, zoneOffsetMinutes } from "./i18n.js";
import { standing } from "./result.js";

/** The officer's applications, newest first, searched and filtered on the server (by name,
 *  client id or application id, decision, days and origin), loading more on demand, with an
 *  export of what is shown. On a phone each application is a card instead of a table row. */
export async function historyView() {
  const body = h("tbody");
  const more = h("button", { class: "secondary", type: "button", hidden: true }, t("list.load_more"));
  const empty = h("p", { class: "meta", role: "status", id: "history-status" });
  const columns = ["submitted", "applicant", "client_id", "status", "decision", "pd", "score"].map((key) => t(`history.${key}`));
  const table = h("table", { id: "history", class: "cards", tabindex: "-1" }, h("caption", { class: "meta" }, t("history.caption")),
    h("thead", {}, h("tr", {}, columns.map((text) => h("th", { scope: "col" }, text)))), body);
  const decision = h("select", { id: "filter-decision" }, h("option", { value: "" }, t("history.all_decisions")),
    ["approve", "review", "reject"].map((code) => h("option", { value: code }, t(`decision.${code}`))),
    h("option", { value: "pending" }, t("history.pending")));
  const dateInput = (id) => h("input", { id, type: "text", inputmode: "numeric", placeholder: t("date.placeholder"), autocomplete: "off", size: 10 });
  const from = dateInput("filter-from");
  const to = dateInput("filter-to");
  const search = h("input", { id: "filter-search", type: "search" });
  const batches = h("select", { id: "filter-batch" }, ["include", "exclude", "only"].map((value) => h("option", { value }, t(`history.batch_${value}`))));
  const error = h("p", { class: "error", id: "filter-error", role: "alert" });
  const exportButton = h("button", { class: "secondary", type: "button", id: "export-csv" }, t("history.export"));
  const filters = h("form", { class: "filters", role: "search", id: "history-filters" },
    h("div", { class: "field wide" }, h("label", { for: "filter-search" }, t("history.search")), search),
    h("div", { class: "field" }, h("label", { for: "filter-decision" }, t("history.decision")), decision),
    h("div", { class: "field" }, h("label", { for: "filter-from" }, t("history.from")), from),
    h("div", { class: "field" }, h("label", { for: "filter-to" }, t("history.to")), to),
    h("div", { class: "field" }, h("label", { for: "filter-batch" }, t("history.batches")), batches),
    error);
  const jobs = [];
  let next = null, generation = 0;

  /** The query of the filters, or an error message for a date that is not one. */
  function query() {
    const params = new URLSearchParams({ limit: "20" });
    const q = search.value.trim();
    if (q) params.set("q", q);
    if (decision.value) params.set("decision", decision.value);
    for (const [name, input] of [["from", from], ["to", to]]) {
      const value = parseDay(input.value);
      if (value === null) return { error: t("date.invalid", { text: input.value.trim() }), input };
      if (value) params.set(name, value);
    }
    if (params.has("from") || params.has("to")) params.set("tz_offset_minutes", String(zoneOffsetMinutes()));
    if (batches.value !== "include") params.set("batch", batches.value);
    return { path: `api/predictions?${params}` };
  }

  function row(job) {
    const r = job.result;
    const decided = r ? standing(r, job.review) : null;
    const cell = (label, ...content) => h("td", { dataset: { label } }, ...content);
    return h("tr", {},
      cell(columns[0], h("a", { href: `#/result/${job.id}` }, when(job.submitted_at))),
      cell(columns[1], job.applicant_name || "—"),
      cell(columns[2], job.client_id === null || job.client_id === undefined ? "—" : String(job.client_id)),
      cell(columns[3], t(`status.word_${job.status}`)),
      cell(columns[4], decided ? [h("span", { class: `tag tag-${decided.kind}` }, decided.text),
        decided.model ? h("span", { class: "meta" }, ` ${t("result.model_said", { decision: decided.model })}`) : null,
        job.review?.override ? h("strong", { class: "override-mark" }, ` ${t("reviews.override")}`) : null] : "—"),
      cell(columns[5], r ? percent(r.probability_of_default) : "—"),
      cell(columns[6], r ? String(r.score) : "—"));
  }

  function show() {
    body.replaceChildren(...jobs.map(row));
    empty.textContent = jobs.length ? t("history.shown", { count: jobs.length }) : filtered() ? t("history.no_match") : t("history.none");
  }

  const filtered = () => Boolean(search.value.trim() || decision.value || from.value.trim() || to.value.trim() || batches.value !== "include");

  async function load(reset) {
    if (reset) {
      const built = query();
      error.textContent = built.error || "";
      if (built.error) { built.input.setAttribute("aria-invalid", "true"); return; }
      for (const input of [from, to]) input.removeAttribute("aria-invalid");
      jobs.length = 0;
      next = built.path;
    }
    const mine = ++generation;
    more.disabled = true;
    // A page of a rare search may come back short (the service reads a bounded stretch of the
    // history a request): the next pages are asked for until twenty are shown or none is left.
    const wanted = jobs.length + 20;
    for (let asked = 0; next && jobs.length < wanted && asked < 25; asked++) {
      const { status, data } = await api(next);
      if (mine !== generation) return;  // a later search answered first, or will
      if (status !== 200) {
        more.disabled = false;
        empty.textContent = Object.values(data?.errors || {}).flat().join(" ") || data?.detail || t("history.cannot_load");
        return;
      }
      jobs.push(...data.items);
      next = data.next;
    }
    more.disabled = false;
    more.hidden = !next;
    show();
  }

  function exportCSV() {
    const header = ["id", "submitted", "applicant", "client_id", "status", "final_decision", "origin", "model_decision", "pd", "score", "model"]
      .map((key) => t(`export.${key}`));
    const rows = jobs.map((job) => {
      const r = job.result;
      const decided = r ? standing(r, job.review) : null;
      return [job.id, when(job.submitted_at), job.applicant_name, job.client_id === null ? null : String(job.client_id ?? ""),
        t(`status.word_${job.status}`), decided?.text, decided ? t(`final_origin.${decided.origin}`) : null, r ? t(`decision.${r.decision}`) : null,
        r ? Math.round(r.probability_of_default * 1e6) / 1e6 : null, r?.score, r?.model];
    });
    saveFile(csvBlob([header, ...rows]), `${t("export.file")}-${day(new Date().toISOString())}.csv`);
  }

  let typing;
  search.addEventListener("input", () => { clearTimeout(typing); typing = setTimeout(() => load(true), 250); });
  for (const control of [decision, batches]) control.addEventListener("change", () => load(true));
  for (const control of [from, to]) control.addEventListener("change", () => load(true));
  filters.addEventListener("submit", (event) => { event.preventDefault(); clearTimeout(typing); load(true); });
  exportButton.addEventListener("click", exportCSV);
  // After loading, focus stays on "Load more" (or on the table when nothing is left).
  more.addEventListener("click", async () => { await load(false); (more.hidden ? table : more).focus(); });
  await load(true);
  return h("div", {}, h("h1", {}, t("title.history")), filters, h("div", { class: "table-wrap" }, table), empty,
    h("div", { class: "actions" }, more, exportButton));
}

import { api } from "./api.js";
import { h, percent, when } from "./dom.js";

const words = { approve: "Approve", review: "Refer for review", reject: "Reject" };

/** The officer's own applications, newest first, loading more on demand. */
export async function historyView() {
  const body = h("tbody");
  const more = h("button", { class: "secondary", type: "button", hidden: true }, "Load more");
  const empty = h("p", { class: "meta" });
  const table = h("table", { id: "history", tabindex: "-1" }, h("caption", { class: "meta" }, "Your applications, newest first"),
    h("thead", {}, h("tr", {}, ["Submitted", "Applicant", "Status", "Decision", "PD", "Score"].map((t) => h("th", { scope: "col" }, t)))), body);
  let next = "api/predictions?limit=20";
  async function load() {
    more.disabled = true;
    const { status, data } = await api(next);
    more.disabled = false;
    if (status !== 200) { empty.textContent = data?.detail || "The history cannot be loaded."; return; }
    for (const job of data.items) {
      const r = job.result;
      body.append(h("tr", {},
        h("td", {}, h("a", { href: `#/result/${job.id}` }, when(job.submitted_at))),
        h("td", {}, job.applicant_name || "—"),
        h("td", {}, job.status),
        h("td", {}, r ? words[r.decision] : "—"),
        h("td", {}, r ? percent(r.probability_of_default) : "—"),
        h("td", {}, r ? String(r.score) : "—")));
    }
    next = data.next;
    more.hidden = !next;
    if (!body.children.length) empty.textContent = "No applications yet.";
  }
  // After loading, focus stays on "Load more" (or on the table when nothing is left).
  more.addEventListener("click", async () => { await load(); (more.hidden ? table : more).focus(); });
  await load();
  return h("div", {}, h("h1", {}, "History"), h("div", { class: "table-wrap" }, table), empty, h("div", { class: "actions" }, more));
}

import { api } from "./api.js";
import { h, percent, when } from "./dom.js";

const modelWords = { approve: "Approve", review: "Refer for review", reject: "Reject" };
const originWords = { model: "Referred by the model", officer: "Sent by the officer", override: "Override" };
const finalWords = { approve: "Approved", decline: "Declined" };

/** The review queue (reviewers): open reviews oldest first, or decided ones newest first. Each
 *  row links to the application, where the decision panel records the final decision. */
export async function reviewsView() {
  const body = h("tbody");
  const status = h("p", { class: "meta", role: "status" });
  const more = h("button", { class: "secondary", type: "button", hidden: true }, "Load more");
  const which = h("select", { id: "review-status" }, h("option", { value: "open" }, "Waiting for a decision"), h("option", { value: "decided" }, "Decided"));
  const head = h("thead");
  const table = h("table", { id: "reviews" }, h("caption", { class: "meta", id: "reviews-caption" }), head, body);
  let next = null;

  function columns() {
    const open = which.value === "open";
    head.replaceChildren(h("tr", {}, (open ? ["Waiting since", "Applicant", "Officer", "Why", "Model", "PD"]
      : ["Decided", "Applicant", "Officer", "Model", "Final decision", "By"]).map((t) => h("th", { scope: "col" }, t))));
    table.querySelector("caption").textContent = open ? "Applications waiting for a decision, oldest first" : "Decided applications, newest first";
  }

  function row(job) {
    const review = job.review, r = job.result;
    const link = (text) => h("a", { href: `#/result/${job.id}` }, text);
    if (which.value === "open") {
      return h("tr", {}, h("td", {}, link(when(review.opened_at))), h("td", {}, job.applicant_name || "—"), h("td", {}, review.officer),
        h("td", {}, originWords[review.origin], review.request_note ? h("span", { class: "meta" }, `: ${review.request_note}`) : null),
        h("td", {}, r ? modelWords[r.decision] : "—"), h("td", {}, r ? percent(r.probability_of_default) : "—"));
    }
    return h("tr", {}, h("td", {}, link(when(review.decided_at))), h("td", {}, job.applicant_name || "—"), h("td", {}, review.officer),
      h("td", {}, r ? modelWords[r.decision] : "—"), h("td", {}, `${finalWords[review.decision]} (${review.reason_code})`), h("td", {}, review.decided_by || "—"));
  }

  async function load(reset) {
    if (reset) { body.replaceChildren(); next = `api/reviews?status=${which.value}&limit=20`; columns(); }
    more.disabled = true;
    const { status: code, data } = await api(next);
    more.disabled = false;
    if (code !== 200) { status.textContent = data?.detail || "The review queue cannot be loaded."; return; }
    body.append(...data.items.map(row));
    next = data.next;
    more.hidden = !next;
    const count = body.children.length;
    status.textContent = count ? `${count} shown.` : which.value === "open" ? "No application is waiting for a decision." : "No decision yet.";
  }

  which.addEventListener("change", () => load(true));
  more.addEventListener("click", () => load(false));
  await load(true);
  return h("div", {}, h("h1", {}, "Reviews"),
    h("div", { class: "filters" }, h("div", { class: "field" }, h("label", { for: "review-status" }, "Show"), which)),
    status, h("div", { class: "table-wrap" }, table), h("div", { class: "actions" }, more));
}

import { api } from "./api.js";
import { h } from "./dom.js";
import { percent, t, when } from "./i18n.js";
import { finalWord, modelWord } from "./result.js";
import { documentWords, dueMark } from "./review-request.js";
import { verifiedInputs } from "./verified-inputs.js";

let reasonsPromise;
/** The review reasons' words by code, in the page's language. */
async function reasonLabels() {
  reasonsPromise ??= api("api/review-reasons").then((r) => (r.status === 200 ? r.data : (reasonsPromise = undefined, [])));
  return new Map((await reasonsPromise).map((r) => [r.code, r.label]));
}

/** The review queue (reviewers): open reviews by urgency (customers' requests by due date, each
 *  with the customer's statement and documents and a form to correct verified inputs; then the
 *  others oldest first), or decided ones newest first, overrides marked. Each row links to the
 *  application, where the decision panel records the final decision. */
export async function reviewsView() {
  const body = h("tbody");
  const status = h("p", { class: "meta", role: "status" });
  const more = h("button", { class: "secondary", type: "button", hidden: true }, t("list.load_more"));
  const which = h("select", { id: "review-status" }, h("option", { value: "open" }, t("reviews.open")), h("option", { value: "decided" }, t("reviews.decided")));
  const head = h("thead");
  const table = h("table", { id: "reviews", class: "cards" }, h("caption", { class: "meta", id: "reviews-caption" }), head, body);
  const labels = await reasonLabels();
  let next = null, columns = [];

  function heading() {
    const open = which.value === "open";
    columns = (open ? ["waiting_since", "due", "applicant", "officer", "why", "model", "pd"]
      : ["decided_at", "applicant", "officer", "model", "final", "by"]).map((key) => t(`reviews.${key}`));
    head.replaceChildren(h("tr", {}, columns.map((text) => h("th", { scope: "col" }, text))));
    table.querySelector("caption").textContent = open ? t("reviews.caption_open") : t("reviews.caption_decided");
  }

  function row(job) {
    const review = job.review, r = job.result;
    const link = (text) => h("a", { href: `#/result/${job.id}` }, text);
    const cell = (index, ...content) => h("td", { dataset: { label: columns[index] } }, ...content);
    const round = review.round > 1 ? h("span", { class: "meta" }, ` — ${t("reviews.round", { round: review.round })}`) : null;
    if (which.value === "open") {
      const customer = review.origin === "customer";
      const corrections = h("div", { class: "verified-slot" });
      verifiedInputs(job).then((element) => corrections.replaceChildren(element));
      return h("tr", { class: review.overdue ? "overdue" : null }, cell(0, link(when(review.opened_at))), cell(1, dueMark(review)),
        cell(2, job.applicant_name || "—"), cell(3, review.officer),
        // One block in the cell: on a phone it sits beside the column's name, as the other cells do.
        cell(4, h("div", {}, h("div", {}, t(`origin.${review.origin}`), round, review.request_note ? h("span", { class: "meta" }, `: ${review.request_note}`) : null),
          customer ? h("blockquote", { class: "customer-statement" }, review.statement || "—") : null,
          customer ? h("div", { class: "meta customer-documents" }, `${t("reviews.documents")}: ${documentWords(review.documents)}`) : null,
          corrections)),
        cell(5, r ? modelWord(r.decision) : "—"), cell(6, r ? percent(r.probability_of_default) : "—"));
    }
    return h("tr", {}, cell(0, link(when(review.decided_at))), cell(1, job.applicant_name || "—"), cell(2, review.officer),
      cell(3, r ? modelWord(r.decision) : "—"),
      cell(4, `${finalWord(review.decision)} (${labels.get(review.reason_code) || review.reason_code})`, round,
        review.override ? h("strong", { class: "override-mark" }, ` ${t("reviews.override")}`) : null),
      cell(5, review.decided_by || "—"));
  }

  async function load(reset) {
    if (reset) { body.replaceChildren(); next = `api/reviews?status=${which.value}&limit=20`; heading(); }
    more.disabled = true;
    const { status: code, data } = await api(next);
    more.disabled = false;
    if (code !== 200) { status.textContent = data?.detail || t("reviews.cannot_load"); return; }
    body.append(...data.items.map(row));
    next = data.next;
    more.hidden = !next;
    const count = body.children.length;
    status.textContent = count ? t("list.shown", { count }) : which.value === "open" ? t("reviews.none_open") : t("reviews.none_decided");
  }

  which.addEventListener("change", () => load(true));
  more.addEventListener("click", () => load(false));
  await load(true);
  return h("div", {}, h("h1", {}, t("title.reviews")),
    h("div", { class: "filters" }, h("div", { class: "field" }, h("label", { for: "review-status" }, t("reviews.show")), which)),
    status, h("div", { class: "table-wrap" }, table), h("div", { class: "actions" }, more));
}

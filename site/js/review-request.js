// A customer's request for review (LGPD Art. 20, Lei 12.414/2011 Art. 5) on the result page: its
// officer records what the customer says and the documents they presented; the request then
// waits in the review queue until its due date. Also the words of a request that the review
// queue shows (documents, due date, overdue).
import { api, session } from "./api.js";
import { h } from "./dom.js";
import { t, when } from "./i18n.js";
import { comparison } from "./verified-inputs.js";

/** The documents a customer may present, in the checklist's order (the API's codes). */
export const DOCUMENTS = ["pay_slip", "proof_of_address", "bank_statement", "id_document", "tax_return", "other"];

/** The documents of a request in words ("Holerite / contracheque, Extrato bancário"). */
export const documentWords = (codes) => (codes?.length ? codes.map((code) => t(`document.${code}`)).join(", ") : t("customer.no_documents"));

/** A round's due date, marked when it is overdue. */
export function dueMark(review) {
  if (!review?.due_at) return "—";
  return h("span", { class: review.overdue ? "overdue" : "due" }, when(review.due_at),
    review.overdue ? h("strong", { class: "overdue-mark" }, ` ${t("customer.overdue")}`) : null);
}

/** What the customer said and presented, as facts. */
export function requestFacts(review) {
  return h("dl", { class: "facts customer-request" },
    h("dt", {}, t("customer.statement")), h("dd", { class: "customer-statement" }, review.statement || "—"),
    h("dt", {}, t("customer.documents")), h("dd", { class: "customer-documents" }, documentWords(review.documents)),
    h("dt", {}, t("customer.due")), h("dd", {}, dueMark(review)));
}

/** Shows the application again after a change (the router builds the page anew). */
const reload = () => window.dispatchEvent(new HashChangeEvent("hashchange"));

/**
 * The "Customer asks for a review" panel of a scored application: for its officer, a form
 * (statement and document checklist) whenever no review round is open, whatever was decided;
 * for anyone, the open request with its due date, and an override said as such. Null when there
 * is nothing to show.
 */
export function customerReviewPanel(job) {
  const review = job.review;
  const parts = [h("h2", { id: "customer-review-title" }, t("customer.title"))];
  if (review?.status === "decided" && review.override) {
    parts.push(h("p", { id: "override-mark", class: "override" }, t("customer.override", { model: t(`decision.${job.result.decision}`) })));
  }
  if (review?.status === "open" && review.origin === "customer") {
    parts.push(h("p", { id: "customer-review-open" }, t("customer.waiting", { round: review.round })), requestFacts(review));
  }
  if (review?.rescore_id) parts.push(rescoreBeside(job, review.rescore_id)); else if (job.status === "done" && review?.status !== "open" && job.submitted_by === session.username) {
    parts.push(requestForm(job));
  }
  if (parts.length === 1) return null;
  return h("section", { class: "card panel", id: "customer-review-panel", "aria-labelledby": "customer-review-title" }, parts);
}

/** The re-score with verified inputs beside the original, once it is read. */
function rescoreBeside(job, rescoreId) {
  const slot = h("div", { id: "customer-rescore" }, h("p", { class: "meta" },
    t("customer.rescore"), " ", h("a", { href: `#/result/${rescoreId}` }, rescoreId)));
  api(`api/predictions/${encodeURIComponent(rescoreId)}`).then(({ status, data }) => {
    if (status === 200 && data.status === "done") slot.append(comparison(job, data));
  });
  return slot;
}

function requestForm(job) {
  const statement = h("textarea", { id: "customer-statement", maxlength: 2000, required: true, rows: 4 });
  const boxes = DOCUMENTS.map((code) => h("label", { class: "check" },
    h("input", { type: "checkbox", name: "customer-document", value: code }), ` ${t(`document.${code}`)}`));
  const error = h("p", { class: "error", id: "customer-review-error", role: "alert" });
  const button = h("button", { class: "secondary", type: "submit" }, t("customer.submit"));
  const form = h("form", { id: "customer-review-form" },
    h("p", { class: "meta" }, t("customer.help")),
    h("div", { class: "field" }, h("label", { for: "customer-statement" }, t("customer.statement")), statement),
    h("fieldset", { class: "choices documents" }, h("legend", {}, t("customer.documents")), boxes),
    error, h("div", { class: "actions" }, button));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    button.disabled = true;
    const documents = [...form.querySelectorAll("input[name=customer-document]:checked")].map((box) => box.value);
    const result = await api(`api/predictions/${encodeURIComponent(job.id)}/review-request`,
      { method: "POST", json: { statement: statement.value, documents } });
    button.disabled = false;
    if (result.status === 201) { reload(); return; }
    error.textContent = Object.values(result.data?.errors || {}).flat().join(" ") || result.data?.detail || t("customer.not_recorded");
  });
  return form;
}

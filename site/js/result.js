import { api, can, schema, session } from "./api.js";
import { h } from "./dom.js";
import { draftFrom, isIdentifier } from "./application.js";
import { formatNumber } from "./numbers.js";
import { currentLanguage, fixed, percent, t, when } from "./i18n.js";
import { customerReviewPanel } from "./review-request.js";
import { letterControls } from "./letter.js";

/** The model's decision in words ("Aprovar"). */
export const modelWord = (decision) => t(`decision.${decision}`);
/** A reviewer's final decision in words ("Aprovada"). */
export const finalWord = (decision) => t(`final.${decision}`);

/**
 * The decision that stands: a reviewer's once one has decided, else the model's. `kind` is the
 * badge's colour (approve, review, reject), `text` its words, `model` the model's words when a
 * reviewer's decision leads, `origin` where it came from (`model`, or `review_` and how it reached review).
 */
export function standing(result, review) {
  if (review?.status === "decided") {
    return { kind: review.decision === "approve" ? "approve" : "reject", text: finalWord(review.decision), model: modelWord(result.decision),
             origin: `review_${review.origin}` };
  }
  return { kind: result.decision, text: modelWord(result.decision), model: null, origin: "model" };
}

/** A reason in the page's language. */
const reasonText = (reason) => reason.texts?.[currentLanguage()] || reason.text;

let policyPromise;
/** The model's decision cut-offs (`approve_below`, `reject_from`), fetched once. */
function policy() {
  policyPromise ??= api("api/model").then((r) => {
    if (r.status === 200) return r.data.policy;
    policyPromise = undefined;
    return null;
  });
  return policyPromise;
}

/** The application as submitted, every field labelled, in the form's order. */
function submitted(application, definition) {
  const rows = [];
  for (const field of definition?.fields || []) {
    const value = application?.[field.name];
    if (value === undefined || value === null || value === "") continue;
    let shown = String(value);
    if (field.type === "number") shown = isIdentifier(field) ? String(value) : formatNumber(Number(value), field.unit);
    else if (field.type === "flag") shown = [true, 1, "1"].includes(value) || String(value).toUpperCase() === String(field.options[0].code).toUpperCase() ? field.options[0].label : field.options[1].label;
    else if (field.options?.length) {
      const option = field.options.find((o) => o.code === String(value));
      if (option && option.label !== option.code) shown = option.label.includes(option.code) ? option.label : `${option.label} (${option.code})`;
    }
    rows.push(h("tr", {}, h("th", { scope: "row" }, field.label), h("td", {}, shown)));
  }
  return h("section", { class: "card submitted", "aria-labelledby": "submitted-title" },
    h("h3", { id: "submitted-title" }, t("result.submitted")),
    h("table", { class: "card-table" }, h("tbody", {}, rows)));
}

function card(job, cutoffs, definition) {
  const r = job.result;
  const decision = standing(r, job.review);
  const labels = new Map((definition?.fields || []).map((f) => [f.name, f]));
  // The value is shown once: beside the reason, unless its words already hold it.
  const list = (items) => h("ul", { class: "reasons" }, items.map((x) => {
    const text = reasonText(x), field = labels.get(x.field);
    // The internal record shows what each reason weighed (the screen leaves it out).
    const weight = typeof x.contribution === "number"
      ? h("span", { class: "meta print-only" }, ` ${t("result.contribution", { value: (x.contribution > 0 ? "+" : "") + fixed(x.contribution, 3) })}`) : null;
    if (x.family) return h("li", { "data-family": x.family }, text, weight);  // a family's words hold its values
    const value = x.value === "yes" || x.value === "no" ? t(`word.${x.value}`)
      : field?.type === "number" && x.value !== null && x.value !== "" && !Number.isNaN(Number(x.value)) ? formatNumber(Number(x.value), field.unit) : x.value;
    return h("li", {}, text, value && !text.includes(x.value) ? h("span", { class: "meta" }, ` (${field?.label || x.label}: ${value})`) : null, weight);
  }));
  const clientId = job.application?.id_client;
  return h("section", { class: "card", id: "result-card", "aria-labelledby": "result-title" },
    h("h2", { id: "result-title" }, job.applicant_name ? t("result.for", { name: job.applicant_name }) : t("result.title")),
    h("div", { class: "result-grid" },
      h("div", {}, h("div", { class: "meta" }, decision.model ? t("result.final_decision") : t("result.decision")),
        h("div", { class: `decision decision-${decision.kind}`, id: "decision" }, decision.text),
        decision.model ? h("div", { class: "meta", id: "model-decision" }, t("result.model_said", { decision: decision.model })) : null),
      h("div", {}, h("div", { class: "meta", id: "pd-label" }, t("result.pd")),
        h("div", { class: "pd", id: "pd" }, percent(r.probability_of_default)),
        // The gauge's bands are the model's own cut-offs, so its colour agrees with the decision.
        h("meter", { min: 0, max: 1, low: cutoffs?.approve_below ?? 0.2, high: cutoffs?.reject_from ?? 0.35, optimum: 0,
                     value: r.probability_of_default, "aria-labelledby": "pd-label" })),
      h("div", {}, h("div", { class: "meta" }, t("result.score")), h("div", { class: "score", id: "score" }, String(r.score)))),
    h("h3", {}, t("result.reasons")),
    r.reasons.length ? list(r.reasons) : h("p", {}, t("result.no_reasons")),
    r.strengths?.length ? [h("h3", {}, t("result.strengths")), list(r.strengths)] : null,
    r.recourse?.length ? [h("h3", {}, t("result.recourse")),
      h("ul", { class: "recourse", id: "recourse" }, r.recourse.map((x) => h("li", {}, reasonText(x))))] : null,
    h("dl", { class: "facts" },
      h("dt", {}, t("result.application_id")), h("dd", { id: "application-id" }, job.id),
      clientId !== undefined ? [h("dt", {}, t("result.client_id")), h("dd", {}, String(clientId))] : null,
      job.submitted_by ? [h("dt", {}, t("result.officer")), h("dd", {}, job.submitted_by)] : null,
      h("dt", {}, t("result.submitted_at")), h("dd", {}, when(job.submitted_at)),
      h("dt", {}, t("result.scored_at")), h("dd", {}, when(job.completed_at)),
      h("dt", {}, t("result.model")), h("dd", {}, r.model),
      job.rescore_of ? [h("dt", {}, t("result.rescores")), h("dd", { id: "rescore-of" }, h("a", { href: `#/result/${job.rescore_of}` }, job.rescore_of))] : null),
    h("div", { class: "actions" },
      // The letter is what the customer gets; the page's own printout is the internal record.
      letterControls(job.id),
      h("button", { class: "secondary", type: "button", id: "print-internal", onclick: () => window.print() }, t("result.print_internal")),
      job.application ? h("button", { class: "secondary", type: "button", id: "edit-and-rescore", onclick: () => {
        draftFrom(job.application, job.id);
        location.hash = "#/new";
      } }, t("result.edit_rescore")) : null,
      job.application ? h("button", { class: "secondary", type: "button", id: "duplicate", onclick: () => {
        draftFrom(job.application);
        location.hash = "#/new";
      } }, t("result.duplicate")) : null,
      h("a", { href: "#/new" }, t("nav.new"))));
}

let reasonsPromise;
/** The reason codes a reviewer picks from, fetched once. */
function reviewReasons() {
  reasonsPromise ??= api("api/review-reasons").then((r) => (r.status === 200 ? r.data : (reasonsPromise = undefined, [])));
  return reasonsPromise;
}


/** The review panel: the final decision when there is one; for a reviewer the form that records
 *  it (an override when the model did not refer the application); for its officer, a way to
 *  send it to review with a note. `reload` shows the application again after a change. */
async function decisionPanel(job, reload) {
  const review = job.review;
  const reasons = await reviewReasons();
  const label = (code) => reasons.find((r) => r.code === code)?.label || code;
  const parts = [h("h2", { id: "review-title" }, t("review.title"))];
  if (review && review.status === "decided") {
    parts.push(h("p", { id: "final-decision" }, h("strong", {}, t("review.final", { decision: finalWord(review.decision) })), ` — ${label(review.reason_code)}`),
      h("dl", { class: "facts" },
        h("dt", {}, t("review.model_decision")), h("dd", {}, modelWord(job.result.decision)),
        h("dt", {}, t("review.decided_by")), h("dd", { id: "decided-by" }, review.decided_by || "—"),
        h("dt", {}, t("review.decided_at")), h("dd", {}, when(review.decided_at)),
        h("dt", {}, t("review.origin")), h("dd", {}, t(`origin.${review.origin}`)),
        review.request_note ? [h("dt", {}, t("review.officer_note")), h("dd", {}, review.request_note)] : null,
        review.note ? [h("dt", {}, t("review.reviewer_note")), h("dd", { id: "review-note" }, review.note)] : null));
    return h("section", { class: "card panel", id: "review-panel", "aria-labelledby": "review-title" }, parts);
  }
  if (review) parts.push(h("p", { id: "review-open" }, t("review.waiting", { since: when(review.opened_at), origin: t(`origin.${review.origin}`) }),
    review.request_note ? h("span", { class: "meta" }, ` ${t("review.note", { note: review.request_note })}`) : null));
  const error = h("p", { class: "error", id: "review-error", role: "alert" });
  if (can("reviewer")) {
    const override = !review && job.result.decision !== "review";
    const choice = (value, text) => h("label", {}, h("input", { type: "radio", name: "final-decision", value, required: true }), ` ${text}`);
    const reason = h("select", { id: "reason-code", required: true }, h("option", { value: "" }, t("review.choose_reason")),
      reasons.map((r) => h("option", { value: r.code }, r.label)));
    const note = h("textarea", { id: "review-note-input", maxlength: 2000 });
    const button = h("button", { class: "primary", type: "submit" }, override ? t("review.record_override") : t("review.record"));
    const form = h("form", { id: "decision-form" },
      override ? h("p", { class: "meta" }, t("review.override_note", { decision: modelWord(job.result.decision) })) : null,
      h("fieldset", { class: "choices" }, h("legend", {}, t("result.final_decision")), choice("approve", t("review.approve")), choice("decline", t("review.decline"))),
      h("div", { class: "field" }, h("label", { for: "reason-code" }, t("review.reason")), reason),
      h("div", { class: "field" }, h("label", { for: "review-note-input" }, t("review.note_label")), note),
      error, h("div", { class: "actions" }, button));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.textContent = "";
      button.disabled = true;
      const decision = form.querySelector("input[name=final-decision]:checked")?.value;
      const result = await api(`api/predictions/${encodeURIComponent(job.id)}/decision`, { method: "POST", json: { decision, reason_code: reason.value, note: note.value } });
      button.disabled = false;
      if (result.status === 200) { reload(); return; }
      error.textContent = Object.values(result.data?.errors || {}).flat().join(" ") || result.data?.detail || t("review.not_recorded");
    });
    parts.push(form);
  } else if (!review && job.submitted_by === session.username) {
    const note = h("textarea", { id: "review-request-note", maxlength: 2000, required: true });
    const form = h("form", { id: "review-request" },
      h("div", { class: "field" }, h("label", { for: "review-request-note" }, t("review.request_label")), note),
      error, h("div", { class: "actions" }, h("button", { class: "secondary", type: "submit" }, t("review.request"))));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const result = await api(`api/predictions/${encodeURIComponent(job.id)}/review`, { method: "POST", json: { note: note.value } });
      if (result.status === 201) { reload(); return; }
      error.textContent = Object.values(result.data?.errors || {}).flat().join(" ") || result.data?.detail || t("form.not_sent");
    });
    parts.push(form);
  } else if (!review) {
    return null;
  }
  return h("section", { class: "card panel", id: "review-panel", "aria-labelledby": "review-title" }, parts);
}

/**
 * Asks for what a result card needs besides the result (each is fetched once a session): the
 * decision cut-offs, the schema's labels and the review reasons. Called while the officer fills in
 * the form, and again as the result is polled, so that the card does not wait for them.
 */
export function prefetchResultData() {
  policy();
  schema().catch(() => null);
  reviewReasons();
}

/**
 * Polls one prediction and shows its result card when it arrives. A result usually comes within
 * a few milliseconds of the submission (the worker is woken by it), so the polls come while it is
 * likely near: at once, then every 5 to 25 ms for the first 100 ms; after that the wait grows by
 * half each time, to one poll every 30 s, for as long as the page is open. The cut-offs, labels
 * and review reasons the card needs are fetched meanwhile.
 */
export function resultView(id) {
  const status = h("p", { class: "status", id: "status", role: "status", "aria-live": "polite" }, t("status.queued"));
  const slot = h("div");
  const heading = h("h1", {}, t("title.result"));
  // Printed at the top of the page's own printout, the internal record (the customer gets the letter).
  const mark = h("p", { class: "internal-mark print-only", id: "internal-mark" }, t("result.internal_mark"));
  const element = h("div", {}, mark, heading, status, slot);
  const early = [5, 5, 5, 10, 10, 20, 20, 25];  // ms after the first poll: the first 100 ms
  let polls = 0, delay = 50, stopped = false, timer, saidBusy = false;
  const next = () => (polls < early.length ? early[polls++] : (delay = Math.min(30000, delay * 1.5)));
  const started = Date.now();
  async function poll() {
    if (stopped) return;
    const { status: code, data } = await api(`api/predictions/${encodeURIComponent(id)}`);
    if (stopped) return;
    if (code === 404) { status.textContent = t("result.not_found"); return; }
    if (code === 401) return;
    if (code !== 200) {
      status.textContent = `${data?.detail || t("result.cannot_load")} ${t("result.trying_again")}`;
    } else if (data.status === "done") {
      const [cutoffs, definition] = await Promise.all([policy(), schema().catch(() => null)]);
      if (stopped) return;
      const panel = await decisionPanel(data, () => { polls = 0; delay = 50; stopped = false; poll(); });
      if (stopped) return;
      // The review panel sits between the result and the application, where a reviewer reads.
      slot.replaceChildren(card(data, cutoffs, definition), panel || "", customerReviewPanel(data) || "", data.application ? submitted(data.application, definition) : "");
      const r = data.result;
      const decision = standing(r, data.review);
      heading.textContent = decision.model ? t("result.heading_final", { decision: decision.text }) : t("result.heading", { decision: decision.text });
      status.textContent = t(decision.model ? "status.done_final" : "status.done", {
        decision: decision.text, model: decision.model, pd: percent(r.probability_of_default), score: r.score });
      document.title = `${decision.text} — ${t("title.result")} — ${t("brand")}`;
      const submittedAt = Number(sessionStorage.getItem(`credit.submitted.${id}`));
      if (submittedAt) {
        document.body.dataset.lastSubmitToResultMs = String(Math.round(performance.timeOrigin + performance.now() - submittedAt));
        sessionStorage.removeItem(`credit.submitted.${id}`);
      }
      return;
    } else if (data.status === "failed") {
      status.textContent = t("status.failed");
      slot.replaceChildren(h("p", { class: "flash" }, data.error || t("result.not_scored")));
      return;
    } else if (Date.now() - started > 30000) {
      if (!saidBusy) {
        saidBusy = true;
        const health = await api("api/health");
        const cron = health.data?.worker?.mode === "cron";
        status.textContent = `${t("status.queued_since", { since: when(data.submitted_at) })} ${cron ? t("status.cron") : t("status.stopped")}`;
      }
    } else {
      status.textContent = t(`status.${data.status}`);
    }
    timer = setTimeout(poll, next());
  }
  prefetchResultData();
  poll();
  return { element, stop: () => { stopped = true; clearTimeout(timer); } };
}

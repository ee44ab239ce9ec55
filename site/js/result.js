import { api, can, schema, session } from "./api.js";
import { h, percent, when } from "./dom.js";
import { draftFrom } from "./application.js";
import { formatNumber } from "./numbers.js";

const words = { approve: "Approve", review: "Refer for review", reject: "Reject" };
const statusText = { queued: "Queued — waiting for the scoring service…", running: "Scoring…", done: "Done.", failed: "Scoring failed." };

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
    if (field.type === "number") shown = formatNumber(Number(value), field.unit);
    else if (field.type === "flag") shown = [true, 1, "1"].includes(value) || String(value).toUpperCase() === String(field.options[0].code).toUpperCase() ? "Yes" : "No";
    else if (field.options?.length) {
      const option = field.options.find((o) => o.code === String(value));
      if (option && option.label !== option.code) shown = option.label.includes(option.code) ? option.label : `${option.label} (${option.code})`;
    }
    rows.push(h("tr", {}, h("th", { scope: "row" }, field.label), h("td", {}, shown)));
  }
  return h("section", { class: "card submitted", "aria-labelledby": "submitted-title" },
    h("h3", { id: "submitted-title" }, "Application as submitted"),
    h("table", { class: "card-table" }, h("tbody", {}, rows)));
}

function card(job, cutoffs, definition) {
  const r = job.result;
  // The value is shown once: beside the reason, unless its words already hold it.
  const list = (items) => h("ul", { class: "reasons" }, items.map((x) => h("li", {}, x.text,
    x.value && !x.text.includes(x.value) ? h("span", { class: "meta" }, ` (${x.label}: ${x.value})`) : null)));
  const clientId = job.application?.id_client;
  return h("section", { class: "card", id: "result-card", "aria-labelledby": "result-title" },
    h("h2", { id: "result-title" }, job.applicant_name ? `Result for ${job.applicant_name}` : "Result"),
    h("div", { class: "result-grid" },
      h("div", {}, h("div", { class: "meta", id: "pd-label" }, "Probability of default"),
        h("div", { class: "pd", id: "pd" }, percent(r.probability_of_default)),
        // The gauge's bands are the model's own cut-offs, so its colour agrees with the decision.
        h("meter", { min: 0, max: 1, low: cutoffs?.approve_below ?? 0.2, high: cutoffs?.reject_from ?? 0.35, optimum: 0,
                     value: r.probability_of_default, "aria-labelledby": "pd-label" })),
      h("div", {}, h("div", { class: "meta" }, "Decision"), h("div", { class: `decision decision-${r.decision}`, id: "decision" }, words[r.decision])),
      h("div", {}, h("div", { class: "meta" }, "Score"), h("div", { class: "score", id: "score" }, String(r.score)))),
    h("h3", {}, "Main reasons for the risk"),
    r.reasons.length ? list(r.reasons) : h("p", {}, "No factor raised the risk above average."),
    r.strengths?.length ? [h("h3", {}, "In the applicant's favour"), list(r.strengths)] : null,
    h("dl", { class: "facts" },
      h("dt", {}, "Application id"), h("dd", { id: "application-id" }, job.id),
      clientId !== undefined ? [h("dt", {}, "Client id"), h("dd", {}, String(clientId))] : null,
      job.submitted_by ? [h("dt", {}, "Officer"), h("dd", {}, job.submitted_by)] : null,
      h("dt", {}, "Submitted"), h("dd", {}, when(job.submitted_at)),
      h("dt", {}, "Scored"), h("dd", {}, when(job.completed_at)),
      h("dt", {}, "Model"), h("dd", {}, r.model),
      job.rescore_of ? [h("dt", {}, "Re-scores"), h("dd", { id: "rescore-of" }, h("a", { href: `#/result/${job.rescore_of}` }, job.rescore_of))] : null),
    h("div", { class: "actions" },
      h("button", { class: "secondary", type: "button", onclick: () => window.print() }, "Print"),
      job.application ? h("button", { class: "secondary", type: "button", id: "edit-and-rescore", onclick: () => {
        draftFrom(job.application, job.id);
        location.hash = "#/new";
      } }, "Edit and rescore") : null,
      job.application ? h("button", { class: "secondary", type: "button", id: "duplicate", onclick: () => {
        draftFrom(job.application);
        location.hash = "#/new";
      } }, "Duplicate") : null,
      h("a", { href: "#/new" }, "New application")));
}

let reasonsPromise;
/** The reason codes a reviewer picks from, fetched once. */
function reviewReasons() {
  reasonsPromise ??= api("api/review-reasons").then((r) => (r.status === 200 ? r.data : (reasonsPromise = undefined, [])));
  return reasonsPromise;
}

const finalWords = { approve: "Approved", decline: "Declined" };
const originWords = { model: "referred by the model", officer: "sent to review by the officer", override: "a reviewer's override" };

/** The review panel: the final decision when there is one; for a reviewer the form that records
 *  it (an override when the model did not refer the application); for its officer, a way to
 *  send it to review with a note. `reload` shows the application again after a change. */
async function decisionPanel(job, reload) {
  const review = job.review;
  const reasons = await reviewReasons();
  const label = (code) => reasons.find((r) => r.code === code)?.label || code;
  const parts = [h("h2", { id: "review-title" }, "Review")];
  if (review && review.status === "decided") {
    parts.push(h("p", { id: "final-decision" }, h("strong", {}, `Final decision: ${finalWords[review.decision]}`), ` — ${label(review.reason_code)}`),
      h("dl", { class: "facts" },
        h("dt", {}, "Model's decision"), h("dd", {}, words[job.result.decision]),
        h("dt", {}, "Decided by"), h("dd", { id: "decided-by" }, review.decided_by || "—"),
        h("dt", {}, "Decided"), h("dd", {}, when(review.decided_at)),
        h("dt", {}, "How it came to review"), h("dd", {}, originWords[review.origin]),
        review.request_note ? [h("dt", {}, "Officer's note"), h("dd", {}, review.request_note)] : null,
        review.note ? [h("dt", {}, "Reviewer's note"), h("dd", { id: "review-note" }, review.note)] : null));
    return h("section", { class: "card panel", id: "review-panel", "aria-labelledby": "review-title" }, parts);
  }
  if (review) parts.push(h("p", { id: "review-open" }, `Waiting for a reviewer since ${when(review.opened_at)} (${originWords[review.origin]}).`,
    review.request_note ? h("span", { class: "meta" }, ` Note: ${review.request_note}`) : null));
  const error = h("p", { class: "error", id: "review-error", role: "alert" });
  if (can("reviewer")) {
    const override = !review && job.result.decision !== "review";
    const choice = (value, text) => h("label", {}, h("input", { type: "radio", name: "final-decision", value, required: true }), ` ${text}`);
    const reason = h("select", { id: "reason-code", required: true }, h("option", { value: "" }, "Choose a reason"),
      reasons.map((r) => h("option", { value: r.code }, r.label)));
    const note = h("textarea", { id: "review-note-input", maxlength: 2000 });
    const button = h("button", { class: "primary", type: "submit" }, override ? "Record the override" : "Record the decision");
    const form = h("form", { id: "decision-form" },
      override ? h("p", { class: "meta" }, `The model decided “${words[job.result.decision]}”. A decision recorded here overrides it and is audited.`) : null,
      h("fieldset", { class: "choices" }, h("legend", {}, "Final decision"), choice("approve", "Approve"), choice("decline", "Decline")),
      h("div", { class: "field" }, h("label", { for: "reason-code" }, "Reason"), reason),
      h("div", { class: "field" }, h("label", { for: "review-note-input" }, "Note (required for Other)"), note),
      error, h("div", { class: "actions" }, button));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.textContent = "";
      button.disabled = true;
      const decision = form.querySelector("input[name=final-decision]:checked")?.value;
      const result = await api(`api/predictions/${encodeURIComponent(job.id)}/decision`, { method: "POST", json: { decision, reason_code: reason.value, note: note.value } });
      button.disabled = false;
      if (result.status === 200) { reload(); return; }
      error.textContent = Object.values(result.data?.errors || {}).flat().join(" ") || result.data?.detail || "The decision could not be recorded.";
    });
    parts.push(form);
  } else if (!review && job.submitted_by === session.username) {
    const note = h("textarea", { id: "review-request-note", maxlength: 2000, required: true });
    const form = h("form", { id: "review-request" },
      h("div", { class: "field" }, h("label", { for: "review-request-note" }, "Send to a reviewer, with what they should look at"), note),
      error, h("div", { class: "actions" }, h("button", { class: "secondary", type: "submit" }, "Send to review")));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const result = await api(`api/predictions/${encodeURIComponent(job.id)}/review`, { method: "POST", json: { note: note.value } });
      if (result.status === 201) { reload(); return; }
      error.textContent = Object.values(result.data?.errors || {}).flat().join(" ") || result.data?.detail || "The application could not be sent.";
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
  const status = h("p", { class: "status", id: "status", role: "status", "aria-live": "polite" }, statusText.queued);
  const slot = h("div");
  const element = h("div", {}, h("h1", {}, "Application result"), status, slot);
  const early = [5, 5, 5, 10, 10, 20, 20, 25];  // ms after the first poll: the first 100 ms
  let polls = 0, delay = 50, stopped = false, timer, saidBusy = false;
  const next = () => (polls < early.length ? early[polls++] : (delay = Math.min(30000, delay * 1.5)));
  const started = Date.now();
  async function poll() {
    if (stopped) return;
    const { status: code, data } = await api(`api/predictions/${encodeURIComponent(id)}`);
    if (stopped) return;
    if (code === 404) { status.textContent = "There is no such application in your history."; return; }
    if (code === 401) return;
    if (code !== 200) {
      status.textContent = `${data?.detail || "The result cannot be loaded right now."} Trying again…`;
    } else if (data.status === "done") {
      const [cutoffs, definition] = await Promise.all([policy(), schema().catch(() => null)]);
      if (stopped) return;
      const panel = await decisionPanel(data, () => { polls = 0; delay = 50; stopped = false; poll(); });
      if (stopped) return;
      // The review panel sits between the result and the application, where a reviewer reads.
      slot.replaceChildren(card(data, cutoffs, definition), panel || "", data.application ? submitted(data.application, definition) : "");
      const r = data.result;
      status.textContent = `Done. Decision: ${words[r.decision]}. Probability of default ${percent(r.probability_of_default)}. Score ${r.score}.`;
      document.title = `${words[r.decision]} — Application result — Credit scoring`;
      const submittedAt = Number(sessionStorage.getItem(`credit.submitted.${id}`));
      if (submittedAt) {
        document.body.dataset.lastSubmitToResultMs = String(Math.round(performance.timeOrigin + performance.now() - submittedAt));
        sessionStorage.removeItem(`credit.submitted.${id}`);
      }
      return;
    } else if (data.status === "failed") {
      status.textContent = "Scoring failed.";
      slot.replaceChildren(h("p", { class: "flash" }, data.error || "The application could not be scored."));
      return;
    } else if (Date.now() - started > 30000) {
      if (!saidBusy) {
        saidBusy = true;
        const health = await api("api/health");
        const cron = health.data?.worker?.mode === "cron";
        status.textContent = `Your application is queued since ${when(data.submitted_at)}. ${cron
          ? "The service scores queued applications every few minutes; the result appears here by itself."
          : "The scoring service is busy or stopped; the result appears here by itself as soon as it is scored."}`;
      }
    } else {
      status.textContent = statusText[data.status] || data.status;
    }
    timer = setTimeout(poll, next());
  }
  prefetchResultData();
  poll();
  return { element, stop: () => { stopped = true; clearTimeout(timer); } };
}

import { api } from "./api.js";
import { h, percent, when } from "./dom.js";

const words = { approve: "Approve", review: "Refer for review", reject: "Reject" };
const statusText = { queued: "Queued — waiting for the scoring service…", running: "Scoring…", done: "Done.", failed: "Scoring failed." };

function card(job) {
  const r = job.result;
  const list = (items) => h("ul", { class: "reasons" }, items.map((x) => h("li", {}, x.text, x.value ? h("span", { class: "meta" }, ` (${x.label}: ${x.value})`) : null)));
  return h("section", { class: "card", id: "result-card", "aria-labelledby": "result-title" },
    h("h2", { id: "result-title" }, job.applicant_name ? `Result for ${job.applicant_name}` : "Result"),
    h("div", { class: "result-grid" },
      h("div", {}, h("div", { class: "meta", id: "pd-label" }, "Probability of default"),
        h("div", { class: "pd", id: "pd" }, percent(r.probability_of_default)),
        h("meter", { min: 0, max: 1, low: 0.2, high: 0.35, optimum: 0, value: r.probability_of_default, "aria-labelledby": "pd-label" })),
      h("div", {}, h("div", { class: "meta" }, "Decision"), h("div", { class: `decision decision-${r.decision}`, id: "decision" }, words[r.decision])),
      h("div", {}, h("div", { class: "meta" }, "Score"), h("div", { class: "score", id: "score" }, String(r.score)))),
    h("h3", {}, "Main reasons for the risk"),
    r.reasons.length ? list(r.reasons) : h("p", {}, "No factor raised the risk above average."),
    r.strengths?.length ? [h("h3", {}, "In the applicant's favour"), list(r.strengths)] : null,
    h("p", { class: "meta" }, `Model ${r.model} · submitted ${when(job.submitted_at)} · scored ${when(job.completed_at)}`),
    h("div", { class: "actions" }, h("button", { class: "secondary", type: "button", onclick: () => window.print() }, "Print"),
      h("a", { href: "#/new" }, "New application")));
}

/** Polls one prediction with back-off (50 ms growing to 1 s) and shows its result card. */
export function resultView(id) {
  const status = h("p", { class: "status", id: "status", role: "status", "aria-live": "polite" }, statusText.queued);
  const slot = h("div");
  const element = h("div", {}, h("h1", {}, "Application result"), status, slot);
  let delay = 50, stopped = false, timer;
  const started = Date.now();
  async function poll() {
    if (stopped) return;
    const { status: code, data } = await api(`api/predictions/${encodeURIComponent(id)}`);
    if (stopped) return;
    if (code === 404) { status.textContent = "There is no such application in your history."; return; }
    if (code !== 200) { status.textContent = data?.detail || "The result cannot be loaded right now; retrying…"; }
    else {
      status.textContent = statusText[data.status] || data.status;
      if (data.status === "done") {
        slot.replaceChildren(card(data));
        const submitted = Number(sessionStorage.getItem(`credit.submitted.${id}`));
        if (submitted) {
          document.body.dataset.lastSubmitToResultMs = String(Math.round(performance.timeOrigin + performance.now() - submitted));
          sessionStorage.removeItem(`credit.submitted.${id}`);
        }
        return;
      }
      if (data.status === "failed") { slot.replaceChildren(h("p", { class: "flash" }, data.error || "The application could not be scored.")); return; }
    }
    if (Date.now() - started > 30000) {
      status.textContent = "The service is busy; your application is queued and will be scored.";
      slot.replaceChildren(h("button", { class: "secondary", type: "button", onclick: () => { slot.replaceChildren(); delay = 1000; poll(); } }, "Keep waiting"));
      return;
    }
    timer = setTimeout(poll, delay);
    delay = Math.min(1000, delay * 1.5);
  }
  poll();
  return { element, stop: () => { stopped = true; clearTimeout(timer); } };
}

import { api, schema } from "./api.js";
import { h } from "./dom.js";
import { formatNumber, parseNumber } from "./numbers.js";
import { t } from "./i18n.js";

const newKey = () => (crypto.randomUUID ? crypto.randomUUID()
  : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(""));

const DRAFT = "credit.draft";
const RESCORE = "credit.rescore_of";

/** Forgets the form's draft (after a submission, on sign-out). */
export function clearDraft() { sessionStorage.removeItem(DRAFT); sessionStorage.removeItem(RESCORE); }

/** Puts an application (as submitted) into the form's draft, to edit it as a new one; with
 *  `rescoreOf`, the new one is linked to it as its re-score. */
export function draftFrom(application, rescoreOf = null) {
  if (rescoreOf) sessionStorage.setItem(RESCORE, rescoreOf); else sessionStorage.removeItem(RESCORE);
  const values = {};
  for (const [name, value] of Object.entries(application || {})) {
    if (value === null || value === undefined) continue;
    values[name] = typeof value === "number" ? String(value).replace(".", ",") : String(value);
  }
  sessionStorage.setItem(DRAFT, JSON.stringify(values));
}

/** A number the model does not use is a reference (the client id): shown as typed, never as "30.037". */
export const isIdentifier = (field) => field.type === "number" && !field.model_input;

/** One control for one schema field, with label, help text, the value as read, and its error. */
function control(field) {
  const id = `f-${field.name}`;
  const describedBy = `${id}-help ${id}-echo ${id}-error`;
  const common = { id, name: field.name, "aria-describedby": describedBy, required: field.required };
  let input, datalist = null;
  const notGiven = field.required ? t("form.choose") : t("form.not_given");
  if (field.type === "number") {
    // Text, not type=number: a number input silently drops a decimal comma ("1992,90" -> 199290).
    input = h("input", { ...common, type: "text", inputmode: field.integer ? "numeric" : "decimal", autocomplete: "off" });
  } else if (field.type === "flag") {
    input = h("select", common, h("option", { value: "" }, notGiven),
      h("option", { value: field.options[0].code }, field.options[0].label), h("option", { value: field.options[1].code }, field.options[1].label));
  } else if (field.type === "category" && field.options?.length && !field.open) {
    input = h("select", common, h("option", { value: "" }, notGiven), field.options.map((o) => h("option", { value: o.code }, o.label)));
  } else if (field.type === "category") {
    const list = `${id}-list`;
    input = h("input", { ...common, type: "text", maxlength: 40, list: field.options?.length ? list : undefined, autocomplete: "off" });
    if (field.options?.length) datalist = h("datalist", { id: list }, field.options.map((o) => h("option", { value: o.code }, o.label)));
  } else {
    input = h("input", { ...common, type: "text", maxlength: field.max_length });
  }
  const unit = field.unit ? ` (${field.unit})` : "";
  const wrapper = h("div", { class: "field" },
    h("label", { for: id }, field.label + unit, field.required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null),
    input,
    h("small", { class: "help", id: `${id}-help` }, field.help),
    h("small", { class: "echo", id: `${id}-echo` }),
    h("p", { class: "error", id: `${id}-error` }),
    datalist);
  return { field, input, echo: wrapper.querySelector(".echo"), error: wrapper.querySelector(".error"), wrapper };
}

/** The value to send, `undefined` to leave the field out, or an error message. */
function read({ field, input }) {
  const raw = input.value.trim();
  if (raw === "") return field.required ? { error: t("form.required", { label: field.label }) } : { value: undefined };
  if (field.type === "number") {
    const parsed = parseNumber(raw, { integer: field.integer, money: field.unit === "R$" });
    if (parsed.error) return { error: `${field.label}: ${parsed.error}` };
    const value = parsed.value;
    if (value < field.minimum || value > field.maximum) {
      return { error: t("form.range", { label: field.label, minimum: formatNumber(field.minimum), maximum: formatNumber(field.maximum, field.unit) }) };
    }
    // Legal but unlike 99 % of the applicants the model learnt from: asked about, not blocked.
    const unusual = (field.typical_minimum !== undefined && value < field.typical_minimum)
      || (field.typical_maximum !== undefined && value > field.typical_maximum);
    const warning = unusual ? t("form.unusual", { minimum: formatNumber(field.typical_minimum), maximum: formatNumber(field.typical_maximum, field.unit) }) : "";
    return { value, shown: (isIdentifier(field) ? String(value) : formatNumber(value, field.unit)) + warning, unusual };
  }
  if (field.type === "category" && field.open && field.options?.length && !field.options.some((o) => o.code === raw)) {
    return { value: raw, shown: t("form.unseen_code") };
  }
  return { value: raw };
}

function showError(control, message) {
  control.error.textContent = message || "";
  if (message) control.input.setAttribute("aria-invalid", "true"); else control.input.removeAttribute("aria-invalid");
}

/** Shows how a field's text was read ("= R$ 1.992,90"), or nothing. */
function showEcho(control) {
  const { shown, error, unusual } = read(control);
  control.echo.textContent = !error && shown ? (control.field.type === "number" ? `= ${shown}` : shown) : "";
  control.echo.classList.toggle("warning", Boolean(unusual && !error));
}

/** The application form, built from /api/schema and validated from it. */
export async function applicationView() {
  let definition;
  try { definition = await schema(); } catch { return h("p", { class: "flash" }, t("form.cannot_load")); }
  const controls = definition.fields.map(control);
  const byName = new Map(controls.map((c) => [c.field.name, c]));
  const sections = definition.groups.map((group) => h("fieldset", {},
    h("legend", {}, group.label),
    h("div", { class: "fields" }, controls.filter((c) => c.field.group === group.id).map((c) => c.wrapper))));
  const button = h("button", { class: "primary", type: "submit", id: "submit" }, t("form.submit"));
  const submitMessage = h("p", { class: "error submit-message", id: "submit-message", role: "alert" });
  const summary = h("div", { class: "error-summary", id: "error-summary", tabindex: "-1", hidden: true });
  const rescoreOf = sessionStorage.getItem(RESCORE);
  const rescoreNote = rescoreOf ? h("p", { class: "flash", id: "rescore-note" }, t("form.rescore_before"),
    h("a", { href: `#/result/${rescoreOf}` }, rescoreOf.slice(0, 8) + "…"), t("form.rescore_after")) : null;
  const hasDraft = Boolean(sessionStorage.getItem(DRAFT) || rescoreOf);
  const startBlank = hasDraft ? h("button", { class: "secondary", type: "button", id: "start-blank", onclick: () => {
    clearDraft();
    location.hash = "#/new";
    window.dispatchEvent(new HashChangeEvent("hashchange"));  // rebuild the form, blank
  } }, t("form.start_blank")) : null;
  const form = h("form", { novalidate: true, id: "application" }, h("h1", {}, rescoreOf ? t("form.title_rescore") : t("form.title")), rescoreNote,
    h("p", { class: "meta" }, t("form.intro")),
    summary, sections, h("div", { class: "actions" }, button, startBlank, submitMessage));
  // Page order (sections follow the schema's groups, not its field order).
  const ordered = [...controls].sort((a, b) => (a.wrapper.compareDocumentPosition(b.wrapper) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));

  // The draft: every keystroke is kept for this tab, so an expired session or a reload loses nothing.
  const draft = JSON.parse(sessionStorage.getItem(DRAFT) || "{}");
  for (const c of controls) if (draft[c.field.name] !== undefined) { c.input.value = draft[c.field.name]; showEcho(c); }
  form.addEventListener("input", (event) => {
    const values = {};
    for (const c of controls) if (c.input.value !== "") values[c.field.name] = c.input.value;
    sessionStorage.setItem(DRAFT, JSON.stringify(values));
    const changed = byName.get(event.target.name);
    if (changed) showEcho(changed);
  });
  let idempotencyKey = newKey();
  let keyUsedFor = null;
  for (const c of controls) c.input.addEventListener("change", () => { showError(c, read(c).error); showEcho(c); });

  function showSummary(problems) {
    if (!problems.length) { summary.hidden = true; summary.replaceChildren(); return; }
    summary.replaceChildren(h("h2", {}, problems.length === 1 ? t("form.one_problem") : t("form.problems", { count: problems.length })),
      h("ul", {}, problems.map(({ control: c, message }) => h("li", {}, h("a", { href: `#${c.input.id}`, onclick: (event) => {
        event.preventDefault();  // a fragment link would change the route
        c.input.focus();
      } }, message)))));
    summary.hidden = false;
    summary.focus();
  }

  async function send(payload) {
    // A retry of the same application keeps its key (the service answers with the same job); an
    // application that changed since the key was used gets a new one.
    const text = JSON.stringify(payload);
    if (keyUsedFor !== null && keyUsedFor !== text) idempotencyKey = newKey();
    keyUsedFor = text;
    button.disabled = true;
    button.textContent = t("form.sending");
    submitMessage.replaceChildren();
    const started = performance.now();
    const path = rescoreOf ? `api/predictions?rescore_of=${encodeURIComponent(rescoreOf)}` : "api/predictions";
    const result = await api(path, { method: "POST", json: payload, headers: { "Idempotency-Key": idempotencyKey } });
    button.disabled = false;
    button.textContent = t("form.submit");
    if (result.status === 202) {
      idempotencyKey = newKey();
      keyUsedFor = null;
      clearDraft();
      sessionStorage.setItem(`credit.submitted.${result.data.id}`, String(started + performance.timeOrigin));
      // The result view at once: a hash assignment's hashchange comes a frame later (7–11 ms in
      // Chromium), and the result is usually ready within that.
      history.pushState(null, "", `#/result/${result.data.id}`);
      window.dispatchEvent(new HashChangeEvent("hashchange"));
      return;
    }
    if (result.status === 422 && result.data?.type?.endsWith("/idempotency-key-reuse")) {
      idempotencyKey = newKey();
      keyUsedFor = null;
      submitMessage.textContent = t("form.key_reused");
      return;
    }
    if (result.status === 422 && result.data?.errors) {
      const problems = [];
      for (const c of ordered) {
        const messages = result.data.errors[c.field.name];
        if (messages) { showError(c, messages.join(" ")); problems.push({ control: c, message: messages.join(" ") }); }
      }
      showSummary(problems);
      return;
    }
    if (result.status === 401) return;  // the sign-in view takes over; the draft is kept
    // Network failure, timeout, 5xx, 429: said beside the button, with a retry that keeps the key.
    submitMessage.replaceChildren(
      `${result.data?.detail || t("form.not_sent")} ${t("form.nothing_lost")} `,
      h("button", { class: "link", type: "button", id: "retry", onclick: () => form.requestSubmit() }, t("form.try_again")), ".");
    document.getElementById("retry")?.focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (button.disabled) return;
    const payload = {};
    const problems = [];
    for (const c of ordered) {
      const { value, error } = read(c);
      showError(c, error);
      if (error) problems.push({ control: c, message: error });
      else if (value !== undefined) payload[c.field.name] = value;
    }
    showSummary(problems);
    if (problems.length) return;
    await send(payload);
  });
  return form;
}

import { api, schema } from "./api.js";
import { h } from "./dom.js";
import { say } from "./app.js";

const newKey = () => (crypto.randomUUID ? crypto.randomUUID()
  : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(""));

/** One control for one schema field, with label, help text and a place for its error. */
function control(field) {
  const id = `f-${field.name}`;
  const describedBy = `${id}-help ${id}-error`;
  const common = { id, name: field.name, "aria-describedby": describedBy, required: field.required };
  let input, datalist = null;
  const notGiven = field.required ? "— choose —" : "— not given —";
  if (field.type === "number") {
    input = h("input", { ...common, type: "number", inputmode: field.integer ? "numeric" : "decimal", min: field.minimum, max: field.maximum,
                         step: field.integer ? 1 : "any" });
  } else if (field.type === "flag") {
    input = h("select", common, h("option", { value: "" }, notGiven),
      h("option", { value: field.options[0].code }, "Yes"), h("option", { value: field.options[1].code }, "No"));
  } else if (field.type === "category" && field.options?.length && !field.open) {
    input = h("select", common, h("option", { value: "" }, notGiven), field.options.map((o) => h("option", { value: o.code }, o.label)));
  } else if (field.type === "category") {
    const list = `${id}-list`;
    input = h("input", { ...common, type: "text", maxlength: 40, list: field.options?.length ? list : undefined, autocomplete: "off" });
    if (field.options?.length) datalist = h("datalist", { id: list }, field.options.map((o) => h("option", { value: o.code }, o.label)));
  } else {
    input = h("input", { ...common, type: "text", maxlength: field.max_length });
  }
  if (field.default !== null && field.default !== undefined) {
    const code = String(field.default);
    const match = field.type === "flag" ? field.options.find((o) => o.code === code || (code === "1" && o.label === "Yes") || (code === "0" && o.label === "No")) : null;
    input.value = match ? match.code : code;
  }
  const unit = field.unit ? ` (${field.unit})` : "";
  const wrapper = h("div", { class: "field" },
    h("label", { for: id }, field.label + unit, field.required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null),
    input,
    h("small", { class: "help", id: `${id}-help` }, field.help),
    h("p", { class: "error", id: `${id}-error` }),
    datalist);
  return { field, input, error: wrapper.querySelector(".error"), wrapper };
}

/** The value to send, `undefined` to leave the field out, or an error message. */
function read({ field, input }) {
  const raw = input.value.trim();
  if (raw === "") return field.required ? { error: `${field.label} is required.` } : { value: undefined };
  if (field.type === "number") {
    const value = Number(raw);
    if (!Number.isFinite(value)) return { error: `${field.label} must be a number.` };
    if (field.integer && !Number.isInteger(value)) return { error: `${field.label} must be a whole number.` };
    if (value < field.minimum || value > field.maximum) {
      return { error: `${field.label} must be between ${field.minimum} and ${field.maximum}${field.unit ? " " + field.unit : ""}.` };
    }
    return { value };
  }
  return { value: raw };
}

function showError(control, message) {
  control.error.textContent = message || "";
  if (message) control.input.setAttribute("aria-invalid", "true"); else control.input.removeAttribute("aria-invalid");
}

/** The application form, built from /api/schema and validated from it. */
export async function applicationView() {
  let definition;
  try { definition = await schema(); } catch { return h("p", { class: "flash" }, "The application form cannot be loaded; try again shortly."); }
  const controls = definition.fields.map(control);
  const byName = new Map(controls.map((c) => [c.field.name, c]));
  const sections = definition.groups.map((group) => h("fieldset", {},
    h("legend", {}, group.label),
    h("div", { class: "fields" }, controls.filter((c) => c.field.group === group.id).map((c) => c.wrapper))));
  const button = h("button", { class: "primary", type: "submit", id: "submit" }, "Score application");
  const form = h("form", { novalidate: true, id: "application" }, h("h1", {}, "New application"),
    h("p", { class: "meta" }, "Fields marked * are required. Codes may be typed even when they are not in the list."),
    sections, h("div", { class: "actions" }, button));
  let idempotencyKey = newKey();
  let keyUsedFor = null;
  for (const c of controls) c.input.addEventListener("change", () => showError(c, read(c).error));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (button.disabled) return;
    const payload = {};
    let firstInvalid = null;
    for (const c of controls) {
      const { value, error } = read(c);
      showError(c, error);
      if (error) firstInvalid ??= c.input;
      else if (value !== undefined) payload[c.field.name] = value;
    }
    if (firstInvalid) { say("Correct the highlighted fields."); firstInvalid.focus(); return; }
    // A retry of the same application keeps its key (the service answers with the same job); an
    // application that changed since the key was used gets a new one.
    const text = JSON.stringify(payload);
    if (keyUsedFor !== null && keyUsedFor !== text) idempotencyKey = newKey();
    keyUsedFor = text;
    button.disabled = true;
    button.textContent = "Sending…";
    const started = performance.now();
    const result = await api("api/predictions", { method: "POST", json: payload, headers: { "Idempotency-Key": idempotencyKey } });
    button.disabled = false;
    button.textContent = "Score application";
    if (result.status === 202) {
      idempotencyKey = newKey();
      keyUsedFor = null;
      sessionStorage.setItem(`credit.submitted.${result.data.id}`, String(started + performance.timeOrigin));
      say("");
      location.hash = `#/result/${result.data.id}`;
      return;
    }
    if (result.status === 422 && result.data?.type?.endsWith("/idempotency-key-reuse")) {
      idempotencyKey = newKey();
      keyUsedFor = null;
      say("The application changed since it was last sent; press Score application again to send it as a new application.");
      return;
    }
    if (result.status === 422 && result.data?.errors) {
      let first = null;
      for (const [name, messages] of Object.entries(result.data.errors)) {
        const c = byName.get(name);
        if (c) { showError(c, messages.join(" ")); first ??= c.input; }
      }
      say("The service found problems in the highlighted fields.");
      first?.focus();
      return;
    }
    say(result.data?.detail || "The application could not be sent; try again.");
  });
  return form;
}

import { api, session } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

/** The sign-in form: clear messages for wrong credentials and for throttling. */
export function signInView(done) {
  const message = h("p", { class: "error", id: "signin-error", role: "alert" });
  const username = h("input", { id: "username", name: "username", autocomplete: "username", required: true });
  const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const button = h("button", { class: "primary", type: "submit" }, t("signin.button"));
  const form = h("form", { class: "signin card", "aria-describedby": "signin-error" },
    h("h1", {}, t("signin.title")),
    h("div", { class: "field" }, h("label", { for: "username" }, t("signin.username")), username),
    h("div", { class: "field" }, h("label", { for: "password" }, t("signin.password")), password),
    message,
    h("div", { class: "actions" }, button));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    button.disabled = true;
    const result = await api("api/token", { method: "POST", form: { grant_type: "password", username: username.value.trim(), password: password.value } });
    button.disabled = false;
    if (result.status === 200) { session.signedIn(result.data); password.value = ""; done(); return; }
    if (result.status === 429) message.textContent = t("signin.throttled", { seconds: result.headers.get("Retry-After") || "60" });
    else if (result.data?.error === "invalid_grant") message.textContent = t("signin.wrong");
    else message.textContent = result.data?.detail || t("signin.failed");
    password.focus();
  });
  return form;
}

import { api, session } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

/** The signed-in user's account: their role, and a password change (required first when an
 *  administrator set a one-time password). Other sessions of the account end at once. */
export async function accountView(onChanged) {
  const message = h("p", { class: "error", id: "password-error", role: "alert" });
  const done = h("p", { class: "echo", id: "password-done", role: "status" });
  const current = h("input", { id: "current-password", type: "password", autocomplete: "current-password", required: true });
  const fresh = h("input", { id: "new-password", type: "password", autocomplete: "new-password", required: true, minlength: 10, "aria-describedby": "new-password-help" });
  const again = h("input", { id: "repeat-password", type: "password", autocomplete: "new-password", required: true });
  const button = h("button", { class: "primary", type: "submit" }, t("account.change"));
  const form = h("form", { class: "card signin", id: "password-form", "aria-describedby": "password-error" },
    h("h2", {}, t("account.change_title")),
    session.mustChangePassword ? h("p", { class: "flash", id: "must-change" }, t("account.must_change")) : null,
    h("div", { class: "field" }, h("label", { for: "current-password" }, t("account.current")), current),
    h("div", { class: "field" }, h("label", { for: "new-password" }, t("account.new")), fresh,
      h("span", { class: "help", id: "new-password-help" }, t("account.new_help"))),
    h("div", { class: "field" }, h("label", { for: "repeat-password" }, t("account.repeat")), again),
    message, done, h("div", { class: "actions" }, button));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = done.textContent = "";
    if (fresh.value !== again.value) { message.textContent = t("account.differ"); again.focus(); return; }
    button.disabled = true;
    const result = await api("api/account/password", { method: "POST", json: { current_password: current.value, new_password: fresh.value } });
    button.disabled = false;
    if (result.status === 200) {
      const wasForced = session.mustChangePassword;
      session.signedIn(result.data);
      current.value = fresh.value = again.value = "";
      done.textContent = t("account.changed");
      if (wasForced) { location.hash = "#/new"; onChanged(); }
      return;
    }
    const errors = result.data?.errors || {};
    message.textContent = [...(errors.current_password || []), ...(errors.new_password || [])].join(" ") || result.data?.detail || t("account.not_changed");
    (errors.current_password ? current : fresh).focus();
  });
  const { status, data } = await api("api/account");
  const facts = status === 200
    ? h("dl", { class: "facts card" }, h("dt", {}, t("account.user")), h("dd", { id: "account-name" }, data.name), h("dt", {}, t("account.role")),
      h("dd", { id: "account-role" }, t(`role.${data.role}`)))
    : null;
  return h("div", {}, h("h1", {}, t("title.account")), facts, form);
}

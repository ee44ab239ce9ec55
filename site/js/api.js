// The API client: the token lives in sessionStorage (never a cookie); a 401 from any call
// except sign-in ends the session and returns to the sign-in view with a message. Every call
// asks for the page's language, so problems and the schema come in it.
import { currentLanguage, t } from "./i18n.js";

const TOKEN_KEY = "credit.token";

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  set token(value) {
    if (value) { sessionStorage.setItem(TOKEN_KEY, value); return; }
    for (const key of [TOKEN_KEY, "credit.role", "credit.username", "credit.mustChange", "credit.accountLanguage"]) sessionStorage.removeItem(key);
  },
  /** The role the token was issued with: it only decides what the page offers; the API checks every call. */
  get role() { return sessionStorage.getItem("credit.role") || "officer"; },
  get username() { return sessionStorage.getItem("credit.username") || ""; },
  get mustChangePassword() { return sessionStorage.getItem("credit.mustChange") === "1"; },
  /** The language the account chose (on any browser), or "" for none yet. */
  get language() { return sessionStorage.getItem("credit.accountLanguage") || ""; },
  set language(tag) { sessionStorage.setItem("credit.accountLanguage", tag || ""); },
  /** Keeps a token answer of POST /api/token or /api/account/password. */
  signedIn(answer) {
    this.token = answer.access_token;
    sessionStorage.setItem("credit.role", answer.role || "officer");
    sessionStorage.setItem("credit.username", answer.username || "");
    sessionStorage.setItem("credit.mustChange", answer.must_change_password ? "1" : "0");
    if (answer.language !== undefined) this.language = answer.language;
  },
};

/** True when the signed-in role includes `role` (admin ⊃ reviewer ⊃ officer). */
export function can(role) {
  const order = ["officer", "reviewer", "admin"];
  return order.indexOf(session.role) >= order.indexOf(role);
}

let onUnauthorized = () => {};
export function whenUnauthorized(handler) { onUnauthorized = handler; }

/** Calls the API; resolves to {status, data, headers}. Network failures resolve to status 0.
 *  With `text`, a successful answer's body is given as text (an HTML letter); problems stay JSON. */
export async function api(path, { method = "GET", json, form, headers = {}, text = false } = {}) {
  const accept = text ? "text/html, application/problem+json" : "application/json";
  const options = { method, headers: { Accept: accept, "Accept-Language": currentLanguage(), ...headers } };
  if (session.token) options.headers.Authorization = `Bearer ${session.token}`;
  if (json !== undefined) { options.headers["Content-Type"] = "application/json"; options.body = JSON.stringify(json); }
  if (form !== undefined) { options.headers["Content-Type"] = "application/x-www-form-urlencoded"; options.body = new URLSearchParams(form).toString(); }
  let response;
  // A request that hangs is given up after 15 s, like one that fails.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 15000);
  try {
    response = await fetch(path, { ...options, signal: abort.signal });
  } catch {
    const detail = abort.signal.aborted ? t("api.timeout") : t("api.unreachable");
    return { status: 0, data: { detail }, headers: new Headers() };
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  try { data = text && response.ok ? await response.text() : await response.json(); } catch { data = null; }
  if (response.status === 401 && path !== "api/token") {
    session.token = null;
    onUnauthorized(t("api.session_ended"));
  }
  return { status: response.status, data, headers: response.headers };
}

const schemas = new Map();
/** The applicant schema in the page's language, fetched once per language. */
export function schema() {
  const language = currentLanguage();
  if (!schemas.has(language)) {
    schemas.set(language, api("api/schema").then((r) => {
      if (r.status === 200) return r.data;
      schemas.delete(language);  // a failure is not kept: the next view asks again
      return Promise.reject(r);
    }));
  }
  return schemas.get(language);
}

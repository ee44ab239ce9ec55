// The API client: the token lives in sessionStorage (never a cookie); a 401 from any call
// except sign-in ends the session and returns to the sign-in view with a message.
const TOKEN_KEY = "credit.token";

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  set token(value) { value ? sessionStorage.setItem(TOKEN_KEY, value) : sessionStorage.removeItem(TOKEN_KEY); },
};

let onUnauthorized = () => {};
export function whenUnauthorized(handler) { onUnauthorized = handler; }

/** Calls the API; resolves to {status, data, headers}. Network failures resolve to status 0. */
export async function api(path, { method = "GET", json, form, headers = {} } = {}) {
  const options = { method, headers: { Accept: "application/json", ...headers } };
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
    const detail = abort.signal.aborted ? "The service did not answer in time." : "The service cannot be reached. Check your connection and try again.";
    return { status: 0, data: { detail }, headers: new Headers() };
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  try { data = await response.json(); } catch { data = null; }
  if (response.status === 401 && path !== "api/token") {
    session.token = null;
    onUnauthorized("Your session has ended. Please sign in again.");
  }
  return { status: response.status, data, headers: response.headers };
}

let schemaPromise;
/** The applicant schema, fetched once. */
export function schema() {
  schemaPromise ??= api("api/schema").then((r) => {
    if (r.status === 200) return r.data;
    schemaPromise = undefined;  // a failure is not kept: the next view asks again
    return Promise.reject(r);
  });
  return schemaPromise;
}

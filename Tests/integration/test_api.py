"""The API through real nginx, the FastCGI protocol, SQLite and the worker."""
import base64
import hashlib
import hmac
import json
import os
import subprocess
import time

from stack import BIN, PASSWORD, applicant


def test_login_success_and_failure(stack):
    status, headers, body = stack.login("alice")
    assert status == 200
    assert body["token_type"] == "bearer" and body["expires_in"] == 600 and body["access_token"].count(".") == 2
    assert headers["Cache-Control"] == "no-store"
    # RFC 6749 §5.2: 400 invalid_grant in JSON, which is a problem document as well.
    status, headers, body = stack.login("alice", "wrong password")
    assert status == 400
    assert headers["Content-Type"].startswith("application/json") and "WWW-Authenticate" not in headers
    assert body["error"] == "invalid_grant" and body["error_description"] == body["detail"]
    assert body["type"] == "/problems/invalid-grant" and body["status"] == 400 and body["title"]
    status, _, body = stack.login("nobody-here")
    assert status == 400 and body["error"] == "invalid_grant", "an unknown name answers as a wrong password does"


def test_login_form_errors(stack):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, body = stack.json("POST", "/api/token", b"username=alice", form)
    assert status == 400 and body["error"] == "invalid_request" and "password" in body["errors"]
    status, _, body = stack.json("POST", "/api/token", f"grant_type=client_credentials&username=alice&password={PASSWORD}".encode(), form)
    assert status == 400 and body["error"] == "unsupported_grant_type", body
    status, _, body = stack.json("POST", "/api/token", f"grant_type=password&username=alice&password={PASSWORD}".encode(), form)
    assert status == 200 and body["token_type"] == "bearer"
    status, _, body = stack.json("POST", "/api/token", {"username": "alice", "password": PASSWORD})
    assert status == 415 and body["type"] == "/problems/unsupported-media-type"


def test_repeated_failures_are_throttled(stack):
    for _ in range(5):
        status, _, _ = stack.login("throttled", "nope nope nope")
        assert status == 400
    status, headers, body = stack.login("throttled", PASSWORD)
    assert status == 429, body
    assert int(headers["Retry-After"]) > 0
    assert body["type"] == "/problems/too-many-attempts"


def test_submit_poll_done_with_reasons(stack):
    token = stack.token()
    status, headers, body = stack.json("POST", "/api/predictions", applicant(), token=token)
    assert status == 202, body
    assert body["status"] == "queued" and headers["Location"] == body["status_url"] == f"/api/predictions/{body['id']}"
    job = stack.wait_done(token, body["id"])
    assert job["status"] == "done", job
    result = job["result"]
    assert 0 < result["probability_of_default"] < 1
    assert result["decision"] in ("approve", "review", "reject")
    assert 0 <= result["score"] <= 1000
    assert result["model"].startswith("gbdt-")
    assert result["reasons"] and all(r["contribution"] > 0 and r["text"] for r in result["reasons"])
    assert job["applicant_name"] == "Maria Souza"
    for key in ("submitted_at", "started_at", "completed_at"):
        assert job[key].endswith("Z")


def test_history_newest_first_and_paginated(stack):
    token = stack.token("carol")
    ids = []
    for index in range(5):
        status, _, body = stack.json("POST", "/api/predictions", applicant(applicant_name=f"c{index}"), token=token)
        assert status == 202
        ids.append(body["id"])
    status, _, page = stack.json("GET", "/api/predictions?limit=3", token=token)
    assert status == 200
    assert [item["id"] for item in page["items"]] == ids[::-1][:3]
    status, _, rest = stack.json("GET", page["next"], token=token)
    # The next page goes on with the two older ones (then whatever carol submitted before this test).
    assert [item["id"] for item in rest["items"]][:2] == ids[::-1][3:]
    status, _, body = stack.json("GET", "/api/predictions?limit=0", token=token)
    assert status == 400 and "limit" in body["errors"]


def test_validation_errors_are_per_field(stack):
    token = stack.token()
    status, headers, body = stack.json("POST", "/api/predictions", applicant(age=200, sex="X", personal_monthly_income="lots", bogus=1), token=token)
    assert status == 422
    assert headers["Content-Type"].startswith("application/problem+json")
    assert set(body["errors"]) >= {"age", "sex", "personal_monthly_income", "bogus"}
    payload = applicant()
    del payload["age"]
    status, _, body = stack.json("POST", "/api/predictions", payload, token=token)
    assert status == 422 and body["errors"]["age"] == ["O campo “Idade” é obrigatório."], "the deployment's language, Portuguese"
    status, headers, body = stack.json("POST", "/api/predictions", payload, {"Accept-Language": "en-US,en;q=0.9"}, token=token)
    assert status == 422 and body["errors"]["age"] == ["Age is required."] and headers["Content-Language"] == "en"


def test_malformed_oversized_and_wrong_type_bodies(stack):
    token = stack.token()
    status, _, body = stack.json("POST", "/api/predictions", b'{"age": 3', {"Content-Type": "application/json"}, token=token)
    assert status == 400 and body["type"] == "/problems/malformed-json"
    status, _, body = stack.json("POST", "/api/predictions", b"[" * 5000 + b"]" * 5000, {"Content-Type": "application/json"}, token=token)
    assert status == 400
    status, _, body = stack.json("POST", "/api/predictions", b"\xff\xfe", {"Content-Type": "application/json"}, token=token)
    assert status == 400
    status, _, body = stack.json("POST", "/api/predictions", b"[1,2]", {"Content-Type": "application/json"}, token=token)
    assert status == 422 and "" in body["errors"]
    big = json.dumps(applicant(applicant_name="x" * 70_000)).encode()
    status, headers, body = stack.json("POST", "/api/predictions", big, {"Content-Type": "application/json"}, token=token)
    assert status == 413 and body["type"] == "/problems/payload-too-large"
    huge = b"{" + b" " * 300_000 + b"}"
    status, headers, body = stack.json("POST", "/api/predictions", huge, {"Content-Type": "application/json"}, token=token)
    assert status == 413 and headers["Content-Type"].startswith("application/problem+json"), "nginx's own 413 is JSON too"
    status, _, body = stack.json("POST", "/api/predictions", b"age=3", {"Content-Type": "text/plain"}, token=token)
    assert status == 415


def test_authentication_required(stack):
    status, headers, body = stack.json("POST", "/api/predictions", applicant())
    assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer")
    status, _, _ = stack.json("GET", "/api/predictions", headers={"Authorization": "Basic YWxpY2U6eA=="})
    assert status == 401
    status, _, _ = stack.json("GET", "/api/predictions", token="not.a.token")
    assert status == 401


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _forge(header, claims, key):
    signing_input = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())
    signature = _b64(hmac.new(key, signing_input.encode(), hashlib.sha256).digest()) if key is not None else ""
    return signing_input + "." + signature


def _claims(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_jwt_attacks_are_rejected(stack):
    token = stack.token()
    claims = _claims(token)
    key = open(stack.env["CREDIT_SECRET_FILE"], "rb").read()
    now = int(time.time())
    # The forging code is right: a token it makes with the real key and good claims is accepted.
    good = _forge({"alg": "HS256", "typ": "JWT"}, dict(claims, jti="forged-ok"), key)
    assert stack.json("GET", "/api/predictions", token=good)[0] == 200
    attacks = {
        "alg none": _forge({"alg": "none", "typ": "JWT"}, claims, None),
        "alg None with signature": _forge({"alg": "None"}, claims, key),
        "HS512": _forge({"alg": "HS512"}, claims, key),
        "tampered subject": token.split(".")[0] + "." + _b64(json.dumps(dict(claims, sub="2")).encode()) + "." + token.split(".")[2],
        "tampered signature": token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "expired": _forge({"alg": "HS256"}, dict(claims, iat=now - 7200, nbf=now - 7200, exp=now - 3600), key),
        "not yet valid": _forge({"alg": "HS256"}, dict(claims, nbf=now + 3600, exp=now + 7200), key),
        "other key": _forge({"alg": "HS256"}, claims, b"k" * 64),
        "wrong audience": _forge({"alg": "HS256"}, dict(claims, aud="someone-else"), key),
        "wrong issuer": _forge({"alg": "HS256"}, dict(claims, iss="evil"), key),
        "bad base64": "%%%." + token.split(".")[1] + "." + token.split(".")[2],
    }
    for name, forged in attacks.items():
        status, headers, body = stack.json("GET", "/api/predictions", token=forged)
        assert status == 401, name
        assert body["type"] == "/problems/unauthorized", name


def test_disabled_user_token_stops_working(stack):
    stack.cli("user", "add", "leaver", "--password-stdin", stdin=PASSWORD + "\n")
    token = stack.token("leaver")
    assert stack.json("GET", "/api/predictions", token=token)[0] == 200
    stack.cli("user", "disable", "leaver")
    assert stack.json("GET", "/api/predictions", token=token)[0] == 401
    assert stack.login("leaver")[0] == 400


def test_users_see_only_their_own_jobs(stack):
    alice, bob = stack.token("alice"), stack.token("bob")
    _, _, body = stack.json("POST", "/api/predictions", applicant(), token=alice)
    status, _, problem = stack.json("GET", f"/api/predictions/{body['id']}", token=bob)
    assert status == 404 and problem["type"] == "/problems/not-found"
    _, _, page = stack.json("GET", "/api/predictions?limit=100", token=bob)
    assert body["id"] not in [item["id"] for item in page["items"]]
    assert stack.json("GET", "/api/predictions/" + "0" * 32, token=alice)[0] == 404
    status, _, raw = stack.request("GET", "/api/predictions/..%2F..%2Fetc%2Fpasswd", token=alice)
    assert status == 404 and b"root:" not in raw, "nginx normalises the path; nothing outside site/ is served"


def test_idempotency_key_returns_the_same_job(stack):
    token = stack.token()
    headers = {"Idempotency-Key": f"form-{time.time_ns()}"}
    first = stack.json("POST", "/api/predictions", applicant(), headers=headers, token=token)
    second = stack.json("POST", "/api/predictions", applicant(), headers=headers, token=token)
    assert first[0] == second[0] == 202
    assert first[2]["id"] == second[2]["id"]
    assert second[1].get("Idempotent-Replayed") == "true"


def test_method_not_allowed_and_unknown_route(stack):
    status, headers, body = stack.json("DELETE", "/api/predictions")
    assert status == 405 and "GET" in headers["Allow"]
    status, _, body = stack.json("GET", "/api/nothing-here")
    assert status == 404 and body["type"] == "/problems/not-found"


def test_schema_model_and_health(stack):
    status, _, schema = stack.json("GET", "/api/schema")
    assert status == 200 and {field["name"] for field in schema["fields"]} >= {"age", "mate_education_level", "residencial_zip_3"}
    status, _, model = stack.json("GET", "/api/model")
    assert status == 200 and model["kind"] in ("gbdt", "logistic") and model["validation"]["auc"] > 0.6
    status, _, health = stack.json("GET", "/api/health")
    assert status == 200 and health["database"] == "ok"
    assert health["worker"]["alive"] is True and health["worker"]["model"] == model["id"]


def test_security_headers_on_site_and_api(stack):
    for path in ("/", "/api/health", "/openapi.json"):
        status, headers, _ = stack.request("GET", path)
        assert status == 200, path
        csp = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"


def test_rescore_of_must_name_one_of_the_callers_applications(stack):
    alice, bob = stack.token("alice"), stack.token("bob")
    _, _, first = stack.json("POST", "/api/predictions", applicant(), token=alice)
    status, _, linked = stack.json("POST", f"/api/predictions?rescore_of={first['id']}", applicant(age=35), token=alice)
    assert status == 202
    assert stack.json("GET", f"/api/predictions/{linked['id']}", token=alice)[2]["rescore_of"] == first["id"]
    for bad in (first["id"], "0" * 32, "not-an-id"):
        token = bob if bad == first["id"] else alice  # another user's application is not one of yours
        status, _, problem = stack.json("POST", f"/api/predictions?rescore_of={bad}", applicant(), token=token)
        assert status == 400 and "rescore_of" in problem["errors"], problem


def test_a_served_result_is_the_engines_own_prediction_field_by_field(stack, tmp_path):
    """The same application through nginx, the responder, the store and the worker, and through
    `credit score` on the same model file: PD, score, decision and every reason agree."""
    token = stack.token("alice")
    variants = [applicant(), applicant(age=22, personal_monthly_income=450.0, months_in_the_job=0, payment_day=1),
                applicant(age=58, personal_monthly_income=9000.0, personal_assets_value=150000.0, months_in_residence=240),
                applicant(age=28, personal_monthly_income=500.0, flag_email=0)]
    served = []
    for body in variants:
        status, _, accepted = stack.json("POST", "/api/predictions", body, token=token)
        assert status == 202, accepted
        served.append(stack.wait_done(token, accepted["id"])["result"])
    source = tmp_path / "same.jsonl"
    source.write_text("".join(json.dumps(body) + "\n" for body in variants))
    lines = subprocess.run([os.path.join(BIN, "credit"), "score", "--model", stack.env["CREDIT_MODEL"], "--data", str(source),
                            "--format", "jsonl"], capture_output=True, text=True, check=True).stdout.splitlines()
    engine = [json.loads(line) for line in lines]
    assert len(engine) == len(served) == 4
    for result, own in zip(served, engine):
        assert result["model"] == own["model"]
        assert abs(result["probability_of_default"] - own["probability_of_default"]) < 1e-6
        assert result["score"] == own["score"] and result["decision"] == own["decision"]
        for key in ("reasons", "strengths"):
            assert [(r["code"], r["family"], r["texts"]) for r in result[key]] == [(r["code"], r["family"], r["texts"]) for r in own[key]]
            for mine, theirs in zip(result[key], own[key]):
                assert abs(mine["contribution"] - theirs["contribution"]) < 1e-6
                assert [f["field"] for f in mine["fields"]] == [f["field"] for f in theirs["fields"]]
        # What would change the decision: the same suggestions, in the same words, reaching the same PD.
        assert [(o["changes"], o["decision"], o["texts"]) for o in result["recourse"]] == [
            (o["changes"], o["decision"], o["texts"]) for o in own["recourse"]]
        assert all(abs(a["probability_of_default"] - b["probability_of_default"]) < 1e-6 for a, b in zip(result["recourse"], own["recourse"]))
        if result["decision"] == "approve":
            assert result["recourse"] == [], "an approval needs no suggestion"
    assert len({r["decision"] for r in served}) >= 2, "the variants reach different decisions"
    assert any(r["recourse"] for r in served), "an application not approved gets a suggestion"

"""The customer's decision letter (GET /api/predictions/{id}/letter) on the SQLite stack: its
access rules, audit, languages, escaping and 409 before scoring; then in Chromium, printed on A4
in Portuguese and in English, one page holding the lender, the decision, the reasons and the
customer's rights, and nothing internal (PD, score, model, user names, notes, excluded attributes);
the result page's print button that prints it; and the page's own printout, the internal record."""
import base64
import itertools
import os
import re
import signal
import subprocess
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from stack import PASSWORD, applicant
from test_browser import SCREENSHOTS, wait
from test_language import browser  # noqa: F401 (a fixture)

LENDER = "Financeira Exemplo S.A."
NOTE = "NOTA-SIGILOSA-7731"
REQUEST_NOTE = "PEDIDO-INTERNO-5519"
# Values of excluded attributes that appear nowhere else in the application.
BIRTH_CITY = "Xiquexique"


@pytest.fixture(scope="module")
def people(stack):
    """An officer, another officer, a reviewer and an administrator of this module."""
    for name, role in (("letter_officer", "officer"), ("letter_other", "officer"), ("letter_reviewer", "reviewer"), ("letter_admin", "admin")):
        stack.cli("user", "add", name, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
    return {name: stack.token(name) for name in ("letter_officer", "letter_other", "letter_reviewer", "letter_admin")}


def scored(stack, token, **fields):
    values = dict(applicant_name="Joana Pereira", city_of_birth=BIRTH_CITY, state_of_birth="AM", residencial_city="Niterói",
                  professional_city="Niterói")
    values.update(fields)
    status, _, body = stack.json("POST", "/api/predictions", applicant(**values), token=token)
    assert status == 202, body
    return stack.wait_done(token, body["id"])


@pytest.fixture(scope="module")
def declined(stack, people):
    """An application the model rejects if a plausible one is found (else the last tried), sent
    to review by its officer (with a note) and declined by a reviewer (with a note)."""
    for age, income, day in itertools.product((18, 21, 25), (100.0, 900.0), (1, 10)):
        job = scored(stack, people["letter_officer"], age=age, personal_monthly_income=income, months_in_the_job=0,
                     months_in_residence=0, payment_day=day)
        if job["result"]["decision"] == "reject":
            break
    if job["result"]["decision"] != "review":
        status, _, body = stack.json("POST", f"/api/predictions/{job['id']}/review", {"note": REQUEST_NOTE}, token=people["letter_officer"])
        assert status == 201, body
    status, _, body = stack.json("POST", f"/api/predictions/{job['id']}/decision",
                                 {"decision": "decline", "reason_code": "other", "note": NOTE}, token=people["letter_reviewer"])
    assert status == 200, body
    return job


def letter(stack, job_id, token, query="", headers=None):
    return stack.request("GET", f"/api/predictions/{job_id}/letter{query}", token=token, headers=headers)


def test_the_letter_needs_a_token_and_follows_the_ownership_rules(stack, people, declined):
    status, headers, body = letter(stack, declined["id"], None)
    assert status == 401 and headers["Content-Type"].startswith("application/problem+json"), body
    # Another officer is refused as GET /api/predictions/{id} refuses them: 404.
    assert stack.request("GET", f"/api/predictions/{declined['id']}", token=people["letter_other"])[0] == 404
    assert letter(stack, declined["id"], people["letter_other"])[0] == 404
    assert letter(stack, "0" * 32, people["letter_officer"])[0] == 404
    # The reviewer sees an application in review, and may issue its letter.
    assert letter(stack, declined["id"], people["letter_reviewer"])[0] == 200


def test_the_letter_is_html_with_its_own_strict_policy_and_is_audited(stack, people, declined):
    status, headers, body = letter(stack, declined["id"], people["letter_officer"], "?lang=pt-BR")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    html = body.decode()
    assert html.startswith("<!doctype html>") and "<script" not in html and "Não aprovada" in html and LENDER in html
    policies = [value for name, value in headers.items() if name.lower() == "content-security-policy"]
    letter_policy = [p for p in policies if "form-action 'none'" in p]
    assert letter_policy and "script-src" not in letter_policy[0] and "'sha256-" in letter_policy[0] and "unsafe-inline" not in letter_policy[0]
    status, _, page = stack.json("GET", "/api/audit?action=letter_issued&limit=50", token=people["letter_admin"])
    assert status == 200, page
    rows = [row for row in page["items"] if row["object"] == declined["id"]]
    assert rows and rows[0]["user"] == "letter_officer" and rows[0]["detail"] == "pt-BR", rows


def test_the_letters_language_is_asked_negotiated_or_the_default(stack, people, declined):
    token = people["letter_officer"]
    cases = [("?lang=en", None, "en"), ("?lang=pt-BR", {"Accept-Language": "en"}, "pt-BR"), ("", {"Accept-Language": "en-US,en;q=0.8"}, "en"),
             ("", {"Accept-Language": "fr"}, "pt-BR"), ("", None, "pt-BR")]
    for query, headers, language in cases:
        status, answer, body = letter(stack, declined["id"], token, query, headers)
        assert status == 200 and answer["Content-Language"] == language, (query, headers, answer)
        assert ("Credit decision notice" if language == "en" else "Comunicado de decisão de crédito") in body.decode()
    status, _, body = letter(stack, declined["id"], token, "?lang=fr")
    assert status == 400 and b"lang" in body


def test_the_models_decision_stands_when_no_reviewer_decided(stack, people):
    """An application nobody reviewed: the letter says the model's decision in words, with the
    reasons for a refusal, the favourable factors for an approval, or when to hear back."""
    job = scored(stack, people["letter_officer"])
    status, _, body = letter(stack, job["id"], people["letter_officer"], "?lang=en")
    html = body.decode()
    assert status == 200
    expected = {"approve": ["Approved", "Main favourable factors"], "reject": ["Not approved", "Main reasons for the decision"],
                "review": ["Under analysis", "within 15 days"]}[job["result"]["decision"]]
    assert all(words in html for words in expected), (job["result"]["decision"], html)


def test_a_hostile_name_is_escaped(stack, people):
    job = scored(stack, people["letter_officer"], applicant_name="<script>alert(1)</script> & \"Zé\"")
    status, _, body = letter(stack, job["id"], people["letter_officer"])
    html = body.decode()
    assert status == 200 and "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Zé&quot;" in html


def test_409_before_the_application_is_scored(stack, people):
    token = people["letter_officer"]
    stack.worker.send_signal(signal.SIGSTOP)
    try:
        status, _, body = stack.json("POST", "/api/predictions", applicant(), token=token)
        assert status == 202, body
        status, headers, problem = stack.json("GET", f"/api/predictions/{body['id']}/letter", token=token, headers={"Accept-Language": "pt-BR"})
        assert status == 409 and headers["Content-Type"].startswith("application/problem+json"), problem
        assert problem["title"] == "Avaliação ainda não concluída" and "comunicado" in problem["detail"], problem
        status, _, problem = stack.json("GET", f"/api/predictions/{body['id']}/letter", token=token, headers={"Accept-Language": "en"})
        assert status == 409 and problem["title"] == "Not scored yet"
    finally:
        stack.worker.send_signal(signal.SIGCONT)
    stack.wait_done(token, body["id"])


# -- In Chromium (the `browser` fixture of test_language.py: Chromium on the stack's site) -----

def pdf_of(browser, name):
    """The page printed as its CSS asks (A4), kept under the screenshots folder; its text and page facts."""
    pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": False, "preferCSSPageSize": True})["data"])
    os.makedirs(SCREENSHOTS, exist_ok=True)
    path = os.path.join(SCREENSHOTS, name + ".pdf")
    with open(path, "wb") as handle:
        handle.write(pdf)
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
    text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True).stdout
    return info, text


def flat(text):
    return re.sub(r"\s+", " ", text)


def texts(items, language):
    return [item.get("texts", {}).get(language) or item["text"] for item in items or []]


def open_letter(browser, stack, job_id, token, language):
    """The letter itself in the browser, as its URL answers with the token (its own CSP headers apply)."""
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Authorization": f"Bearer {token}"}})
    try:
        browser.get(f"{stack.base}/api/predictions/{job_id}/letter?lang={language}")
        wait(browser, EC.presence_of_element_located((By.TAG_NAME, "h1")))
        # The inline style applied: the page's policies allowed it by its hash.
        assert browser.execute_script("return getComputedStyle(document.querySelector('.outcome')).borderTopStyle") == "solid"
    finally:
        browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {}})


@pytest.mark.parametrize("language", ["pt-BR", "en"])
def test_the_printed_letter_is_one_a4_page_with_nothing_internal(browser, stack, people, declined, language):
    token = people["letter_officer"]
    _, _, job = stack.json("GET", f"/api/predictions/{declined['id']}", token=token)
    open_letter(browser, stack, job["id"], token, language)
    info, text = pdf_of(browser, f"letter-{language}")
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    assert re.search(r"Page size:\s+59[45][.\d]* x 841[.\d]* pts \(A4\)", info), info
    words = flat(text)
    assert LENDER in words and "00.000.000/0001-91" in words and job["id"] in words
    assert ("Não aprovada" if language == "pt-BR" else "Not approved") in words
    assert ("Prezado(a) Joana Pereira" if language == "pt-BR" else "Dear Joana Pereira") in words
    for reason in texts(job["result"]["reasons"][:4], language):
        assert flat(reason) in words, reason
    assert ("Lei nº 13.709/2018, art. 20" if language == "pt-BR" else "Law 13,709/2018, article 20") in words
    assert ("Lei nº 12.414/2011, art. 5º" if language == "pt-BR" else "Law 12,414/2011, article 5") in words
    assert ("em até 15 dias" if language == "pt-BR" else "within 15 days") in words
    # What could change the decision: the worker's suggestions, each in the letter.
    assert job["result"]["recourse"], "the declined application has a suggestion"
    for line in texts(job["result"]["recourse"], language)[:3]:
        assert flat(line) in words, line
    # Nothing internal: no percentage or PD, no score, model, user name, note, excluded attribute or field code.
    without_id = words.replace(job["id"], "")
    pd = job["result"]["probability_of_default"]
    assert "%" not in words and f"{pd * 100:.1f}" not in words and f"{pd * 100:.1f}".replace(".", ",") not in words
    assert not re.search(rf"\b{job['result']['score']}\b", without_id)
    assert job["result"]["model"] not in words
    for secret in ("letter_officer", "letter_reviewer", NOTE, REQUEST_NOTE, BIRTH_CITY):
        assert secret.lower() not in words.lower(), secret
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", without_id), "a raw field code"
    pages = subprocess.run(["pdftoppm", "-r", "60", "-png", os.path.join(SCREENSHOTS, f"letter-{language}.pdf"),
                            os.path.join(SCREENSHOTS, f"letter-{language}")], capture_output=True)
    assert pages.returncode == 0


def sign_in_officer(browser, stack):
    browser.get(stack.base + "/#/new")
    browser.execute_script("sessionStorage.clear()")
    browser.refresh()
    wait(browser, EC.visibility_of_element_located((By.ID, "username")))
    browser.find_element(By.ID, "username").send_keys("letter_officer")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.signin button[type=submit]").click()
    wait(browser, EC.invisibility_of_element_located((By.ID, "username")))


def test_the_result_page_prints_the_letter_from_a_hidden_frame(browser, stack, people, declined):
    sign_in_officer(browser, stack)
    browser.get(f"{stack.base}/#/result/{declined['id']}")
    wait(browser, EC.visibility_of_element_located((By.ID, "result-card")))
    # The page shows each reason family and what would change the decision, in the page's language.
    shown = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#result-card ul.reasons li[data-family]")]
    result = declined["result"]
    assert shown[:len(result["reasons"])] == [r["texts"]["en"] for r in result["reasons"]], shown
    assert [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#recourse li")] == [o["texts"]["en"] for o in result["recourse"]]
    button = browser.find_element(By.ID, "print-letter")
    assert button.text == "Print letter for the customer" and "primary" in button.get_attribute("class")
    assert browser.find_element(By.ID, "letter-language").get_attribute("value") == "en", "the page's language by default"
    browser.execute_script("document.getElementById('letter-language').value = 'pt-BR'")
    button.click()
    wait(browser, lambda driver: driver.execute_script("return document.body.dataset.letterLanguage") == "pt-BR")
    frame = browser.find_element(By.ID, "letter-frame")
    browser.switch_to.frame(frame)
    try:
        assert "Comunicado de decisão de crédito" in browser.find_element(By.TAG_NAME, "h1").get_attribute("textContent")
        # The frame inherits the page's policy, which allows the letter's style by its hash.
        assert browser.execute_script("return getComputedStyle(document.querySelector('.outcome')).borderTopStyle") == "solid"
    finally:
        browser.switch_to.default_content()
    assert browser.execute_script("return window.cspViolations") == []


def test_the_pages_own_printout_is_the_internal_record(browser, stack, people, declined):
    sign_in_officer(browser, stack)
    browser.get(f"{stack.base}/#/result/{declined['id']}")
    wait(browser, EC.visibility_of_element_located((By.ID, "result-card")))
    assert browser.find_element(By.ID, "print-internal").text == "Print internal record"
    assert not browser.find_element(By.ID, "internal-mark").is_displayed(), "marked on paper only"
    _, text = pdf_of(browser, "internal-record")
    words = flat(text)
    assert "INTERNAL — NOT FOR THE CUSTOMER" in words.upper()
    assert browser.find_element(By.ID, "pd").text in words and declined["result"]["model"] in words
    assert "weight" in words and NOTE in words, "the record keeps the contributions and the review's note"
    assert "Print letter for the customer" not in words

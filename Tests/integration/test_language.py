"""The site in Portuguese and in English, in real headless Chromium on both databases: every view
at a desktop and at a phone size, and the result in print, in the language chosen; no English
left in a Portuguese page (its text checked against the English catalogues), `lang` right, axe-core
clean. Money typed the Brazilian way, and a reviewer's decision that reverses the model's leading
on the page, in History, in the export and on paper."""
import base64
import csv
import json
import os
import re
import subprocess
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from stack import PASSWORD, ROOT, applicant
from test_browser import SCREENSHOTS, PHONE, axe_violations, chromium, fill, wait

SITE_CATALOGS = {tag: json.load(open(os.path.join(ROOT, "site", "i18n", f"{tag}.json"), encoding="utf-8")) for tag in ("en", "pt-BR")}


def server_catalog():
    """The server's English → Portuguese entries (Sources/CreditText/Catalogs/Portuguese.swift)."""
    text = open(os.path.join(ROOT, "Sources", "CreditText", "Catalogs", "Portuguese.swift"), encoding="utf-8").read()
    pair = re.compile(r'^\s*"((?:[^"\\]|\\.)*)"\s*:\s*"((?:[^"\\]|\\.)*)",?\s*$', re.M)
    unescape = lambda s: s.encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
    return {unescape(a): unescape(b) for a, b in pair.findall(text)}


def english_patterns():
    """Every English text a Portuguese page must not show: the site's English words and the
    server's English messages, where the Portuguese differs. Placeholders match any text."""
    # File and column names (of the CSV files the page writes) are words of files, never of the page,
    # and as short codes they collide with data such as an audit row's object ("applications").
    shown = lambda key: not key.startswith("export.") and not key.endswith(("_file", "_suffix"))
    english = {value for key, value in SITE_CATALOGS["en"].items() if shown(key) and SITE_CATALOGS["pt-BR"].get(key) != value}
    english |= {key for key, value in server_catalog().items() if key != value}
    patterns = []
    for text in english:
        if len(re.sub(r"\{[a-z_]+\}|%@", "", text).strip()) < 3 or not re.search(r"[A-Za-z]{2}", text):
            continue
        regex = re.escape(text.strip())
        regex = re.sub(r"\\\{[a-z_]+\\\}|%@", ".+", regex)
        patterns.append((text, re.compile(regex)))
    return patterns


ENGLISH = english_patterns()

VISIBLE_TEXTS = """
const out = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode, parent = node.parentElement;
  if (!parent || parent.closest('script, style, [lang]:not(html)')) continue;
  const text = node.textContent.replace(/\\s+/g, ' ').trim();
  if (text) out.push(text);
}
for (const element of document.querySelectorAll('[aria-label], [placeholder], [alt], [title]'))
  for (const name of ['aria-label', 'placeholder', 'alt', 'title'])
    if (element.getAttribute(name) && !element.closest('[lang]:not(html)')) out.push(element.getAttribute(name).trim());
out.push(document.title);
return out;
"""


def english_in(browser):
    """The English texts the page shows: whole text nodes that are English messages, and longer
    English messages inside text."""
    found = []
    for text in browser.execute_script(VISIBLE_TEXTS):
        for english, pattern in ENGLISH:
            if pattern.fullmatch(text) or (english.count(" ") >= 3 and "{" not in english and english in text):
                found.append((text, english))
                break
    return found


def printed_text(browser):
    """The page printed on A4 (Page.printToPDF), as pdftotext reads it."""
    pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": False, "paperWidth": 8.27, "paperHeight": 11.69})["data"])
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


@pytest.fixture(scope="module")
def browser(stack):
    driver = chromium()
    driver.get(stack.base + "/")
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def people(stack):
    """An officer (alice), a reviewer and an administrator."""
    for name, role in (("lang_reviewer", "reviewer"), ("lang_admin", "admin")):
        stack.cli("user", "add", name, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
    return {"officer": "alice", "reviewer": "lang_reviewer", "admin": "lang_admin"}


@pytest.fixture(scope="module")
def reversed_job(stack, people):
    """An application whose final decision, a reviewer's, is the opposite of the model's."""
    officer = stack.token("alice")
    status, _, body = stack.json("POST", "/api/predictions", json.dumps(applicant(applicant_name="Raimunda Conceição")).encode(),
                                 {"Content-Type": "application/json"}, token=officer)
    assert status == 202, body
    job = stack.wait_done(officer, body["id"])
    model = job["result"]["decision"]
    final = "decline" if model == "approve" else "approve"
    reviewer = stack.token(people["reviewer"])
    if model == "approve":  # an approval goes to review by the officer's request
        status, _, answer = stack.json("POST", f"/api/predictions/{job['id']}/review", json.dumps({"note": "Conferir a renda"}).encode(),
                                       {"Content-Type": "application/json"}, token=officer)
        assert status == 201, answer
    status, _, answer = stack.json("POST", f"/api/predictions/{job['id']}/decision",
                                   json.dumps({"decision": final, "reason_code": "income_verified", "note": "Holerite conferido"}).encode(),
                                   {"Content-Type": "application/json"}, token=reviewer)
    assert status == 200, answer
    return {"id": job["id"], "model": model, "final": final}


def sign_in_as(browser, stack, name, language):
    """Signs out whoever is signed in, chooses `language` with the switch, signs in as `name`."""
    browser.get(stack.base + "/#/new")
    if browser.execute_script("return sessionStorage.getItem('credit.token')"):
        browser.find_element(By.ID, "sign-out").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "username")))
    Select(browser.find_element(By.ID, "language")).select_by_value(language)
    wait(browser, lambda d: d.execute_script("return document.documentElement.lang") == language)
    browser.find_element(By.ID, "username").send_keys(name)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.signin button[type=submit]").click()
    wait(browser, EC.invisibility_of_element_located((By.ID, "username")))


def views(job_id):
    """Each view: who looks at it, its address and an element that is there once it has loaded."""
    return {"form": ("officer", "#/new", "application"), "result": ("officer", f"#/result/{job_id}", "review-panel"),
            "history": ("officer", "#/history", "history"), "batch": ("officer", "#/batch", "batch-form"),
            "account": ("officer", "#/account", "password-form"), "model-admin": ("admin", "#/model", "stability"),
            "reviews": ("admin", "#/reviews", "reviews"), "accounts": ("admin", "#/accounts", "accounts"), "audit": ("admin", "#/audit", "audit")}


@pytest.mark.parametrize("language", ["pt-BR", "en"])
def test_every_view_speaks_one_language_at_both_sizes_and_passes_axe(browser, stack, people, reversed_job, language):
    found, english, langs, widths, printed = {}, {}, {}, {}, {}
    save = language == "pt-BR" and stack.backend == "sqlite"
    if save:
        os.makedirs(SCREENSHOTS, exist_ok=True)
    for size, metrics in (("desktop", None), ("phone", PHONE)):
        if metrics:
            browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        try:
            # The sign-in page first, in the language chosen before anyone signs in.
            sign_in_as(browser, stack, people["admin"], language)
            browser.find_element(By.ID, "sign-out").click()
            wait(browser, EC.visibility_of_element_located((By.ID, "username")))
            pages = {"sign-in": None, **views(reversed_job["id"])}
            signed_in = None
            for name, target in pages.items():
                if target:
                    who, address, ready = target
                    if who != signed_in:
                        sign_in_as(browser, stack, people[who], language)
                        signed_in = who
                    browser.get(f"{stack.base}/{address}")
                    wait(browser, EC.visibility_of_element_located((By.ID, ready)))
                    if name == "model-admin":
                        wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, ".plots img")))
                label = f"{name} ({size})"
                langs[label] = browser.execute_script("return document.documentElement.lang")
                if metrics:
                    widths[label] = browser.execute_script("return document.documentElement.scrollWidth")
                found[label] = axe_violations(browser)
                if language == "pt-BR":
                    english[label] = english_in(browser)
                else:
                    # The detector finds English where there is English (so it can fail in Portuguese).
                    english[label] = len(english_in(browser))
                if not metrics:
                    printed[name] = printed_text(browser)
                if save:
                    browser.execute_script("window.scrollTo(0, 0)")
                    browser.save_screenshot(os.path.join(SCREENSHOTS, f"{name}-{size}.png"))
        finally:
            browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert len(found) == 20
    assert set(langs.values()) == {language}, langs
    assert {view: width for view, width in widths.items() if width > PHONE["width"]} == {}, "no page scrolls sideways on a phone"
    assert {view: problems for view, problems in found.items() if problems} == {}
    # In print too: every view prints, and a Portuguese printout holds no English sentence.
    assert len(printed) == 10 and all(len(text) > 20 for text in printed.values()), {k: len(v) for k, v in printed.items()}
    if language == "pt-BR":
        assert {view: texts for view, texts in english.items() if texts} == {}
        sentences = [e for e, _ in ENGLISH if e.count(" ") >= 3 and "{" not in e and "%@" not in e]
        assert {view: [e for e in sentences if e in " ".join(text.split())] for view, text in printed.items()} == {view: [] for view in printed}
    else:
        assert min(english.values()) >= 3, english


def test_money_typed_the_brazilian_way(browser, stack, people):
    sign_in_as(browser, stack, people["officer"], "pt-BR")
    browser.execute_script("sessionStorage.removeItem('credit.draft'); location.hash = '#/new'")
    browser.refresh()
    wait(browser, EC.visibility_of_element_located((By.ID, "application")))
    values = {key: value for key, value in applicant(applicant_name="Luíza Gonçalves").items() if value is not None}
    values.update(personal_monthly_income="1.800", personal_assets_value="2.350,00")
    for name, value in values.items():
        if browser.find_elements(By.ID, f"f-{name}"):
            fill(browser, name, str(value))
    assert browser.find_element(By.ID, "f-personal_monthly_income-echo").text == "= R$ 1.800,00"
    # The language chosen is the account's, on every browser it signs in from.
    assert stack.json("GET", "/api/account", token=stack.token("alice"))[2]["language"] == "pt-BR"
    browser.find_element(By.ID, "submit").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "result-card")))
    job_id = browser.find_element(By.ID, "application-id").text
    _, _, job = stack.json("GET", f"/api/predictions/{job_id}", token=stack.token("alice"))
    assert job["application"]["personal_monthly_income"] == 1800 and job["application"]["personal_assets_value"] == 2350, job["application"]
    # The same "1.800" in English is asked about, not guessed.
    sign_in_as(browser, stack, people["officer"], "en")
    browser.execute_script("sessionStorage.removeItem('credit.draft'); location.hash = '#/new'")
    browser.refresh()
    wait(browser, EC.visibility_of_element_located((By.ID, "application")))
    fill(browser, "personal_monthly_income", "1.800")
    browser.find_element(By.ID, "f-age").click()
    assert "Ambiguous" in wait(browser, EC.visibility_of_element_located((By.ID, "f-personal_monthly_income-error"))).text
    assert stack.json("GET", "/api/account", token=stack.token("alice"))[2]["language"] == "en"
    # A new browser session that signs in without choosing gets the account's language.
    browser.find_element(By.ID, "sign-out").click()
    browser.execute_script("localStorage.clear(); sessionStorage.clear()")
    browser.get(stack.base + "/#/new")
    browser.refresh()
    wait(browser, EC.visibility_of_element_located((By.ID, "username")))
    status, _, _ = stack.json("PUT", "/api/account/language", json.dumps({"language": "pt-BR"}).encode(), {"Content-Type": "application/json"},
                              token=stack.token("alice"))
    assert status == 200
    browser.find_element(By.ID, "username").send_keys("alice")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.signin button[type=submit]").click()
    wait(browser, lambda d: d.execute_script("return document.documentElement.lang") == "pt-BR")
    assert browser.find_element(By.CSS_SELECTOR, "a[href='#/history']").text == "Histórico"
    assert stack.json("PUT", "/api/account/language", json.dumps({"language": "fr"}).encode(), {"Content-Type": "application/json"},
                      token=stack.token("alice"))[0] == 422


FINAL = {"pt-BR": {"approve": "Aprovada", "decline": "Recusada"}, "en": {"approve": "Approved", "decline": "Declined"}}
MODEL = {"pt-BR": {"approve": "Aprovar", "review": "Encaminhar para análise", "reject": "Recusar"},
         "en": {"approve": "Approve", "review": "Refer for review", "reject": "Reject"}}


@pytest.mark.parametrize("language", ["pt-BR", "en"])
def test_the_final_decision_leads_on_the_page_in_history_in_the_export_and_in_print(browser, stack, people, reversed_job, language, tmp_path):
    final, model = FINAL[language][reversed_job["final"]], MODEL[language][reversed_job["model"]]
    assert SITE_CATALOGS[language][f"final.{reversed_job['final']}"] == final
    sign_in_as(browser, stack, people["officer"], language)
    browser.get(f"{stack.base}/#/result/{reversed_job['id']}")
    wait(browser, EC.visibility_of_element_located((By.ID, "result-card")))
    assert browser.find_element(By.ID, "decision").text == final
    assert model in browser.find_element(By.ID, "model-decision").text
    assert final in browser.find_element(By.TAG_NAME, "h1").text and model not in browser.find_element(By.TAG_NAME, "h1").text
    status = browser.find_element(By.ID, "status").text
    assert status.index(final) < status.index(model), status
    assert browser.title.startswith(final)
    text = printed_text(browser)
    assert final in text and text.index(final) < text.index(model), text[:1500]
    # History: the final decision, the model's beside it.
    browser.get(f"{stack.base}/#/history")
    wait(browser, EC.visibility_of_element_located((By.ID, "history")))
    row = wait(browser, EC.visibility_of_element_located((By.XPATH, f"//tr[.//a[@href='#/result/{reversed_job['id']}']]")))
    cell = row.find_elements(By.TAG_NAME, "td")[4].text
    assert cell.startswith(final) and model in cell, cell
    # The export: the final decision with its origin, in the language's spreadsheet dialect.
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.find_element(By.ID, "export-csv").click()
    deadline = time.time() + 10
    done = lambda: [n for n in os.listdir(tmp_path) if n.endswith(".csv") and os.path.getsize(tmp_path / n) > 0]
    while not done() and time.time() < deadline:
        time.sleep(0.1)
    raw = open(tmp_path / done()[0], "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    separator = ";" if language == "pt-BR" else ","
    records = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=separator))
    header = records[0]
    record = next(r for r in records[1:] if r[0] == reversed_job["id"])
    columns = dict(zip(header, record))
    assert columns[SITE_CATALOGS[language]["export.final_decision"]] == final, columns
    assert columns[SITE_CATALOGS[language]["export.model_decision"]] == model, columns
    pd = columns[SITE_CATALOGS[language]["export.pd"]]
    assert ("," in pd) == (language == "pt-BR") and "." not in pd.replace(".", "", 0 if language == "pt-BR" else 1), pd


def test_catalogs_have_the_same_keys_and_placeholders():
    english, portuguese = SITE_CATALOGS["en"], SITE_CATALOGS["pt-BR"]
    assert list(english) == list(portuguese)
    names = lambda text: sorted(re.findall(r"\{([a-z_]+)\}", text))
    assert {key: (english[key], portuguese[key]) for key in english if names(english[key]) != names(portuguese[key])} == {}
    assert [key for key, value in portuguese.items() if not value.strip()] == []


def test_every_key_the_site_uses_is_in_the_catalogs():
    used = set()
    for name in os.listdir(os.path.join(ROOT, "site", "js")):
        text = open(os.path.join(ROOT, "site", "js", name), encoding="utf-8").read()
        used |= set(re.findall(r'\bt\("([a-z_.]+)"', text))
        for a, b in re.findall(r'\bt\([^()"]*\? "([a-z_.]+)" : "([a-z_.]+)"', text):
            used |= {a, b}
    html = open(os.path.join(ROOT, "site", "index.html"), encoding="utf-8").read()
    used |= set(re.findall(r'data-i18n(?:-label)?="([a-z_.]+)"', html))
    assert sorted(used - set(SITE_CATALOGS["en"])) == []

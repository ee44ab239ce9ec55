"""The site in real headless Chromium (Debian's chromium + chromedriver, driven by Selenium)
against the running stack: sign-in, a complete application to its result, a validation error
next to its field, history, sign-out, and no console errors or CSP violations."""
import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import time

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from deploy import Site
from stack import PASSWORD, ROOT

# Under .build/ (git-ignored) so that `make test` leaves the work tree as it was; `make screenshots`
# sets CREDIT_SCREENSHOTS_DIR=docs/screenshots to update the documentation's pictures on purpose.
# A relative directory is taken from the repository's root.
SCREENSHOTS = os.path.join(ROOT, os.environ.get("CREDIT_SCREENSHOTS_DIR") or os.path.join(".build", "screenshots"))


@pytest.fixture(scope="module", params=["root", "prefix"])
def site(request):
    """The site at the root of the test stack's own nginx, then under /credit/ of an nginx that
    serves a site of its own (the `credit setup nginx` include, from the dist bundle)."""
    if request.param == "root":
        return request.getfixturevalue("stack")
    return request.getfixturevalue("nginx_prefix").site


def chromium():
    """Headless Chromium with an English-speaking browser's languages (the language tests choose
    Portuguese with the page's switch)."""
    if not shutil.which("chromedriver") or not os.path.exists("/usr/bin/chromium"):
        pytest.fail("Chromium is not installed: run scripts/install-deps.sh as root (WITH_BROWSER=1) or make test")
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,1600", "--lang=en-US"]:
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


@pytest.fixture(scope="module")
def browser(site):
    driver = chromium()
    driver.get(site.base + "/")
    # The documentation's screenshots are the Portuguese pages of test_language.py.
    driver.screenshots = False
    yield driver
    driver.quit()


def wait(driver, condition, timeout=10):
    return WebDriverWait(driver, timeout).until(condition)


def sign_in(driver, password):
    wait(driver, EC.visibility_of_element_located((By.ID, "username")))
    driver.find_element(By.ID, "username").clear()
    driver.find_element(By.ID, "username").send_keys("alice")
    driver.find_element(By.ID, "password").clear()
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form.signin button[type=submit]").click()


def fill(driver, name, value):
    element = driver.find_element(By.ID, f"f-{name}")
    if element.tag_name == "select":
        Select(element).select_by_value(value)
    else:
        element.clear()
        element.send_keys(value)


def download(driver, button, folder):
    """Clicks `button` and returns the names of the CSV files that arrive in `folder` (within 10 s)."""
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)})
    driver.find_element(By.ID, button).click()
    deadline = time.time() + 10
    while not [name for name in os.listdir(folder) if name.endswith(".csv")] and time.time() < deadline:
        time.sleep(0.1)
    return [name for name in os.listdir(folder) if name.endswith(".csv")]


def test_1_sign_in_failure_then_success(browser):
    sign_in(browser, "wrong password")
    wait(browser, EC.text_to_be_present_in_element((By.ID, "signin-error"), "Wrong username or password"))
    sign_in(browser, PASSWORD)
    wait(browser, EC.visibility_of_element_located((By.ID, "application")))
    assert browser.execute_script("return sessionStorage.getItem('credit.token')")
    assert not browser.get_cookies(), "the token is never stored in a cookie"


def test_2_validation_error_next_to_its_field(browser):
    fill(browser, "age", "200")
    browser.find_element(By.ID, "submit").click()
    error = wait(browser, EC.visibility_of_element_located((By.ID, "f-age-error")))
    assert "between 0 and 120" in error.text
    assert browser.find_element(By.ID, "f-age").get_attribute("aria-invalid") == "true"
    assert "payment_day" in browser.find_element(By.ID, "f-payment_day-error").get_attribute("id")
    assert browser.find_element(By.ID, "f-payment_day-error").text == "Payment day is required."


def test_3_complete_application_shows_result_with_reasons(browser):
    values = {"applicant_name": "Browser Test", "payment_day": "10", "marital_status": "2", "quant_dependants": "1",
              "residencial_state": "RJ", "residencial_city": "Rio de Janeiro", "flag_residencial_phone": "Y", "flag_email": "1",
              "personal_monthly_income": "1500", "quant_banking_accounts": "1", "company": "Y", "flag_professional_phone": "N",
              "product": "1", "age": "34", "residencial_zip_3": "230"}
    for name, value in values.items():
        fill(browser, name, value)
    browser.find_element(By.ID, "submit").click()
    card = wait(browser, EC.visibility_of_element_located((By.ID, "result-card")))
    assert re.match(r"\d+\.\d %", browser.find_element(By.ID, "pd").text)
    assert browser.find_element(By.ID, "decision").text in ("Approve", "Refer for review", "Reject")
    assert int(browser.find_element(By.ID, "score").text) > 0
    assert len(card.find_elements(By.CSS_SELECTOR, "ul.reasons li")) >= 1
    announced = browser.find_element(By.ID, "status").text  # the live region speaks the outcome
    assert announced.startswith("Done. Decision: ") and browser.find_element(By.ID, "decision").text in announced
    assert "Score " + browser.find_element(By.ID, "score").text in announced
    assert browser.title.startswith(browser.find_element(By.ID, "decision").text)
    latency = int(browser.execute_script("return document.body.dataset.lastSubmitToResultMs"))
    print(f"\nsubmit-to-result-card in the browser: {latency} ms")
    assert latency <= 300, f"{latency} ms from Submit to the result card"


def test_4_history_lists_the_new_application(browser):
    browser.find_element(By.LINK_TEXT, "History").click()
    table = wait(browser, EC.visibility_of_element_located((By.ID, "history")))
    first_row = table.find_elements(By.CSS_SELECTOR, "tbody tr")[0]
    assert "Browser Test" in first_row.text and "Scored" in first_row.text
    first_row.find_element(By.TAG_NAME, "a").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "result-card")))


def test_5_model_page(browser):
    browser.find_element(By.LINK_TEXT, "Model").click()
    wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, ".plots img")))
    assert "AUC" in browser.find_element(By.TAG_NAME, "main").text
    assert browser.execute_script("return Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")


def test_6_sign_out(browser):
    browser.find_element(By.ID, "sign-out").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "username")))
    assert browser.execute_script("return sessionStorage.getItem('credit.token')") is None


REQUIRED = {"payment_day": "10", "marital_status": "2", "quant_dependants": "1", "residencial_state": "RJ", "flag_residencial_phone": "Y",
            "flag_email": "1", "quant_banking_accounts": "1", "company": "Y", "flag_professional_phone": "N", "product": "1", "age": "34",
            "personal_monthly_income": "1500", "residencial_zip_3": "230"}


def ensure_signed_in(browser, site, page="#/new"):
    browser.get(site.base + "/" + page)
    if browser.execute_script("return sessionStorage.getItem('credit.token')") is None:
        sign_in(browser, PASSWORD)
    wait(browser, EC.invisibility_of_element_located((By.ID, "username")))


def fill_required(browser, **extra):
    """A fresh form (no draft from an earlier test), with the required fields and `extra` filled in."""
    browser.execute_script("sessionStorage.removeItem('credit.draft'); location.hash = '#/new'")
    browser.refresh()
    wait(browser, EC.visibility_of_element_located((By.ID, "application")))
    for name, value in {**REQUIRED, **extra}.items():
        fill(browser, name, value)


def secret_file(site):
    return site.env["CREDIT_SECRET_FILE"] if hasattr(site, "env") else site.secret_file


def expired_copy(token, key):
    """The same token with exp and nbf in the past, signed with the service's key."""
    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    header, payload, _ = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(iat=claims["iat"] - 7200, nbf=claims["nbf"] - 7200, exp=claims["iat"] - 3600)
    body = f"{header}.{b64(json.dumps(claims).encode())}"
    return body + "." + b64(hmac.new(key, body.encode(), hashlib.sha256).digest())


def test_8_decimal_comma_is_read_echoed_and_submitted(browser, site):
    ensure_signed_in(browser, site)
    fill_required(browser, personal_monthly_income="1.992,90", applicant_name="Decimal Comma")
    browser.find_element(By.ID, "f-age").click()  # leave the field: its value is read back
    echo = wait(browser, EC.visibility_of_element_located((By.ID, "f-personal_monthly_income-echo")))
    assert echo.text == "= R$ 1,992.90", "read back in the page's language (English here)"
    browser.find_element(By.ID, "submit").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "result-card")))
    submitted = browser.find_element(By.CSS_SELECTOR, ".submitted").text
    assert "Monthly income" in submitted and "R$ 1,992.90" in submitted, submitted
    job_id = browser.find_element(By.ID, "application-id").text
    token = browser.execute_script("return sessionStorage.getItem('credit.token')")
    _, _, job = Site(site.base).json("GET", f"/api/predictions/{job_id}", token=token)
    assert job["application"]["personal_monthly_income"] == 1992.9, job["application"]


def test_8b_implausible_values_are_questioned_but_not_blocked(browser, site):
    ensure_signed_in(browser, site)
    fill_required(browser, personal_monthly_income="250000", applicant_name="Unusual Income")
    browser.find_element(By.ID, "f-age").click()
    echo = wait(browser, EC.visibility_of_element_located((By.ID, "f-personal_monthly_income-echo")))
    assert "unusual" in echo.text and "please check" in echo.text and "warning" in echo.get_attribute("class"), echo.text
    fill(browser, "age", "34")
    assert "unusual" not in browser.find_element(By.ID, "f-age-echo").text
    browser.find_element(By.ID, "submit").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "result-card")))  # a warning never blocks


def test_9_ambiguous_numbers_are_asked_and_the_summary_leads_to_the_first_error(browser, site):
    ensure_signed_in(browser, site)
    fill_required(browser, personal_monthly_income="1.992")
    fill(browser, "age", "")
    browser.find_element(By.ID, "submit").click()
    summary = wait(browser, EC.visibility_of_element_located((By.ID, "error-summary")))
    assert browser.switch_to.active_element.get_attribute("id") == "error-summary", "focus moves to the summary"
    links = summary.find_elements(By.TAG_NAME, "a")
    assert len(links) == 2 and "Ambiguous" in summary.text and "Age is required." in summary.text, summary.text
    # Page order: Age (personal data) comes before Monthly income (income and assets).
    assert links[0].text == "Age is required."
    links[0].click()
    assert browser.switch_to.active_element.get_attribute("id") == "f-age"
    assert browser.current_url.endswith("#/new"), "the summary's links do not change the page"


def test_10_printout_has_the_decision_and_the_application_id(browser, site):
    ensure_signed_in(browser, site)
    fill_required(browser, applicant_name="Printed")
    browser.find_element(By.ID, "submit").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "result-card")))
    job_id = browser.find_element(By.ID, "application-id").text
    decision = browser.find_element(By.ID, "decision").text
    pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})["data"])
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert decision in text and job_id in text and "Application as submitted" in text, text[:2000]
    # The decision must stand out without background colours: black text in a border.
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        color, border = browser.execute_script(
            "const d = getComputedStyle(document.getElementById('decision')); return [d.color, d.borderTopWidth + ' ' + d.borderTopStyle]")
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert color == "rgb(0, 0, 0)" and border == "3px solid", (color, border)


def test_11_expired_session_keeps_the_draft_and_the_page(browser, site):
    ensure_signed_in(browser, site)
    fill_required(browser, applicant_name="Draft Kept", personal_monthly_income="2500")
    token = browser.execute_script("return sessionStorage.getItem('credit.token')")
    expired = expired_copy(token, open(secret_file(site), "rb").read())
    browser.execute_script("sessionStorage.setItem('credit.token', arguments[0])", expired)
    browser.find_element(By.ID, "submit").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "username")))
    assert "session has ended" in browser.find_element(By.ID, "flash").text
    sign_in(browser, PASSWORD)
    wait(browser, EC.visibility_of_element_located((By.ID, "application")))
    assert browser.find_element(By.ID, "f-applicant_name").get_attribute("value") == "Draft Kept"
    assert browser.find_element(By.ID, "f-personal_monthly_income").get_attribute("value") == "2500"
    assert browser.find_element(By.ID, "flash").text == "", "the message went with the sign-in"
    browser.find_element(By.ID, "submit").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "result-card")))
    assert browser.execute_script("return sessionStorage.getItem('credit.draft')") is None, "a submitted draft is gone"


def test_11b_session_ending_on_another_view_shows_sign_in(browser, site):
    ensure_signed_in(browser, site)
    token = browser.execute_script("return sessionStorage.getItem('credit.token')")
    browser.execute_script("sessionStorage.setItem('credit.token', arguments[0])", expired_copy(token, open(secret_file(site), "rb").read()))
    browser.get(site.base + "/#/history")
    wait(browser, EC.visibility_of_element_located((By.ID, "username")))
    time.sleep(0.5)  # a late view must not replace the sign-in form
    assert browser.find_element(By.ID, "username").is_displayed() and not browser.find_elements(By.ID, "history")
    sign_in(browser, PASSWORD)
    wait(browser, EC.visibility_of_element_located((By.ID, "history")))


def test_12_deep_link_lands_after_sign_in(browser, site):
    ensure_signed_in(browser, site)
    token = browser.execute_script("return sessionStorage.getItem('credit.token')")
    _, _, page = Site(site.base).json("GET", "/api/predictions?limit=1", token=token)
    job_id = page["items"][0]["id"]
    browser.find_element(By.ID, "sign-out").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "username")))
    browser.get(f"{site.base}/#/result/{job_id}")
    sign_in(browser, PASSWORD)
    wait(browser, EC.visibility_of_element_located((By.ID, "result-card")))
    assert browser.find_element(By.ID, "application-id").text == job_id


def test_13_message_beside_submit_while_the_responder_is_stopped(browser, site):
    if not hasattr(site, "responder"):
        pytest.skip("stops the responder of the root stack only")
    ensure_signed_in(browser, site)
    fill_required(browser, applicant_name="Retried")
    site.responder.terminate()
    site.responder.wait(10)
    try:
        browser.find_element(By.ID, "submit").click()
        message = wait(browser, EC.visibility_of_element_located((By.ID, "submit-message")))
        wait(browser, EC.text_to_be_present_in_element((By.ID, "submit-message"), "try again"))
        assert "Nothing was lost" in message.text
        assert browser.switch_to.active_element.get_attribute("id") == "retry"
    finally:
        site.start_responder()
    fill(browser, "applicant_name", "Retried and corrected")  # corrected after the failure
    browser.find_element(By.ID, "retry").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "result-card")))
    assert "Retried and corrected" in browser.find_element(By.ID, "result-title").text, "the retry sends the form as it is now"


def test_14_result_arrives_by_itself_after_the_worker_resumes(browser, site):
    if not hasattr(site, "worker"):
        pytest.skip("stops the worker of the root stack only")
    ensure_signed_in(browser, site)
    site.kill9(site.worker)
    try:
        fill_required(browser, applicant_name="Waited")
        browser.find_element(By.ID, "submit").click()
        wait(browser, EC.text_to_be_present_in_element((By.ID, "status"), "Queued"))
        time.sleep(3)
        assert not browser.find_elements(By.ID, "result-card")
    finally:
        site.start_worker()
    wait(browser, EC.visibility_of_element_located((By.ID, "result-card")), timeout=30)


def test_15_phone_model_page_shows_every_value(browser, site):
    ensure_signed_in(browser, site)
    fill_required(browser, applicant_name="Phone Card")  # History has at least this one
    browser.find_element(By.ID, "submit").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "result-card")))
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": True})
    try:
        browser.get(site.base + "/#/model")
        wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, "table.card")))
        wait(browser, EC.visibility_of_element_located((By.ID, "fairness")))
        cells = browser.find_elements(By.CSS_SELECTOR, "table.card td")
        assert cells and all(cell.is_displayed() and cell.text.strip() for cell in cells), [c.text for c in cells]
        # Wide tables scroll in their own box; the page itself never scrolls sideways.
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 390, "the page is wider than the phone"
        # History is a stack of cards: each value with its column's name, nothing off the screen.
        browser.get(site.base + "/#/history")
        table = wait(browser, EC.visibility_of_element_located((By.ID, "history")))
        wait(browser, lambda d: table.find_elements(By.CSS_SELECTOR, "tbody tr"))
        cells = table.find_elements(By.CSS_SELECTOR, "tbody tr:first-child td")
        labels = [browser.execute_script("return getComputedStyle(arguments[0], '::before').content", cell) for cell in cells]
        assert labels == ['"Submitted"', '"Applicant"', '"Client id"', '"Status"', '"Decision"', '"PD"', '"Score"'], labels
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 390, "History is wider than the phone"
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_16_sign_in_screen_hides_the_menu(browser, site):
    ensure_signed_in(browser, site)
    browser.find_element(By.ID, "sign-out").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "username")))
    assert not browser.find_element(By.ID, "nav").is_displayed()
    assert browser.title.startswith("Sign in")


def test_17_submit_to_result_and_transfer_size(browser, site):
    """The figures the README reports: the median submit-to-result-card time over 10 submissions,
    and the bytes on the wire for sign-in plus the form from a cold cache (compressed)."""
    ensure_signed_in(browser, site)
    times = []
    for index in range(10):
        fill_required(browser, applicant_name=f"Timed {index}")
        browser.find_element(By.ID, "submit").click()
        wait(browser, EC.visibility_of_element_located((By.ID, "result-card")))
        times.append(int(browser.execute_script("return document.body.dataset.lastSubmitToResultMs")))
    browser.find_element(By.ID, "sign-out").click()
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    try:
        browser.get("about:blank")
        browser.get(site.base + "/")
        sign_in(browser, PASSWORD)
        wait(browser, EC.visibility_of_element_located((By.ID, "application")))
        transferred = browser.execute_script("""
            const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
            return entries.reduce((sum, e) => sum + e.transferSize, 0);""")
    finally:
        browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
    median = sorted(times)[len(times) // 2]
    print(f"\nsubmit to result card: median {median} ms of {times}; sign-in plus form: {transferred / 1024:.1f} KiB transferred")
    os.makedirs(os.path.join(ROOT, ".build"), exist_ok=True)
    with open(os.path.join(ROOT, ".build", f"site-figures-{'prefix' if site.base.endswith('/credit') else 'root'}.json"), "w") as out:
        json.dump({"submit_to_result_median_ms": median, "submit_to_result_ms": times, "sign_in_and_form_bytes": transferred}, out)
    assert transferred > 0 and median > 0


def test_19_history_searches_the_server_and_exports(browser, site, tmp_path):
    """The search runs on the server: "conceicao" finds Maria da Conceição when she is on no loaded
    page (21 newer applications follow her), as does her client id; the export has what is shown."""
    import csv
    from stack import applicant
    ensure_signed_in(browser, site)
    token = browser.execute_script("return sessionStorage.getItem('credit.token')")
    api = Site(site.base)
    marker = str(int(time.time() * 1000))[-9:]
    ids = []
    for index in range(22):
        name, client = ("Maria da Conceição", marker) if index == 0 else (f"Outro Cliente {index}", f"{marker}{index:02d}")
        status, _, body = api.json("POST", "/api/predictions", json.dumps(applicant(applicant_name=name, id_client=int(client))).encode(),
                                   {"Content-Type": "application/json"}, token=token)
        assert status == 202, body
        ids.append(body["id"])
    deadline = time.time() + 20
    while api.json("GET", f"/api/predictions/{ids[-1]}", token=token)[2]["status"] != "done":
        assert time.time() < deadline
        time.sleep(0.05)
    browser.get(site.base + "/#/history")
    table = wait(browser, EC.visibility_of_element_located((By.ID, "history")))
    wait(browser, lambda d: len(table.find_elements(By.CSS_SELECTOR, "tbody tr")) == 20)
    assert "Maria da Conceição" not in table.text, "she is on no loaded page"
    search = browser.find_element(By.ID, "filter-search")
    search.send_keys("conceicao")
    wait(browser, lambda d: len(table.find_elements(By.CSS_SELECTOR, "tbody tr")) == 1 and "Maria da Conceição" in table.text)
    search.clear()
    search.send_keys(marker)
    # The client id as a prefix: hers and the twenty-one made from it, hers the oldest, on the second page.
    wait(browser, lambda d: len(table.find_elements(By.CSS_SELECTOR, "tbody tr")) == 20 and marker not in
         [r.find_elements(By.TAG_NAME, "td")[2].text for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")])
    browser.find_element(By.XPATH, "//button[normalize-space()='Load more']").click()
    wait(browser, lambda d: len(table.find_elements(By.CSS_SELECTOR, "tbody tr")) == 22)
    rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert rows[-1].find_elements(By.TAG_NAME, "td")[2].text == marker
    decision = rows[0].find_elements(By.TAG_NAME, "td")[4].text
    Select(browser.find_element(By.ID, "filter-decision")).select_by_visible_text(decision)
    wait(browser, lambda d: all(r.find_elements(By.TAG_NAME, "td")[4].text == decision for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")))
    Select(browser.find_element(By.ID, "filter-decision")).select_by_value("")
    search.clear()
    search.send_keys("conceicao")
    wait(browser, lambda d: len(table.find_elements(By.CSS_SELECTOR, "tbody tr")) == 1)
    files = download(browser, "export-csv", tmp_path)
    assert files, "the CSV was downloaded"
    with open(tmp_path / files[0], newline="", encoding="utf-8-sig") as handle:
        records = list(csv.DictReader(handle))
    assert len(records) == 1 and records[0]["applicant_name"] == "Maria da Conceição" and records[0]["client_id"] == marker, records
    assert records[0]["final_decision"] in ("Approve", "Refer for review", "Reject") and 0 < float(records[0]["probability_of_default"]) < 1


def test_20_keyboard_only_sign_in_and_application(browser, site):
    """Tab, type and Enter only: sign in, fill every required field in page order, submit."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    ensure_signed_in(browser, site)
    browser.find_element(By.ID, "sign-out").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "username")))
    browser.execute_script("sessionStorage.removeItem('credit.draft')")
    keys = ActionChains(browser)
    browser.find_element(By.ID, "username").click()  # the one pointer action: put the caret in the form
    keys.send_keys("alice", Keys.TAB, PASSWORD, Keys.ENTER).perform()
    wait(browser, EC.visibility_of_element_located((By.ID, "application")))
    typed = {"f-" + name: value for name, value in REQUIRED.items()}
    for _ in range(200):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        active = browser.switch_to.active_element
        name = active.get_attribute("id")
        if name == "submit":
            break
        if name in typed:
            if active.tag_name == "select":
                # A select takes the first letters of an option's text.
                option = next(o for o in active.find_elements(By.TAG_NAME, "option") if o.get_attribute("value") == typed[name])
                ActionChains(browser).send_keys(option.text).perform()
            else:
                ActionChains(browser).send_keys(typed[name]).perform()
    assert browser.switch_to.active_element.get_attribute("id") == "submit", "Tab reaches Submit"
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    wait(browser, EC.visibility_of_element_located((By.ID, "result-card")))


def test_21_edit_and_rescore_links_two_applications(browser, site):
    ensure_signed_in(browser, site)
    fill_required(browser, applicant_name="First Version", personal_monthly_income="1200")
    browser.find_element(By.ID, "submit").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "result-card")))
    first = browser.find_element(By.ID, "application-id").text
    browser.find_element(By.ID, "edit-and-rescore").click()
    form = wait(browser, EC.visibility_of_element_located((By.ID, "application")))
    assert first[:8] in browser.find_element(By.ID, "rescore-note").text
    assert browser.find_element(By.ID, "f-applicant_name").get_attribute("value") == "First Version"
    assert browser.find_element(By.ID, "f-personal_monthly_income").get_attribute("value") == "1200"
    fill(browser, "personal_monthly_income", "2.400,50")
    browser.find_element(By.ID, "submit").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "result-card")))
    second = browser.find_element(By.ID, "application-id").text
    assert second != first and browser.find_element(By.ID, "rescore-of").text == first
    token = browser.execute_script("return sessionStorage.getItem('credit.token')")
    _, _, job = Site(site.base).json("GET", f"/api/predictions/{second}", token=token)
    assert job["rescore_of"] == first and job["application"]["personal_monthly_income"] == 2400.5
    # Duplicate: the same form, no link; and "Start a blank application" forgets it.
    browser.find_element(By.ID, "duplicate").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "application")))
    assert not browser.find_elements(By.ID, "rescore-note")
    browser.find_element(By.ID, "start-blank").click()
    wait(browser, lambda driver: driver.find_element(By.ID, "f-applicant_name").get_attribute("value") == "")
    assert not browser.find_elements(By.ID, "start-blank")
    browser.back()
    browser.find_element(By.ID, "duplicate").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "application")))
    browser.find_element(By.ID, "submit").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "result-card")))
    assert not browser.find_elements(By.ID, "rescore-of") and browser.find_element(By.ID, "application-id").text not in (first, second)


AXE = None


def axe_violations(browser):
    """axe-core's violations on the page as it is now (the script is injected through the
    driver, which the page's CSP does not govern)."""
    global AXE
    if AXE is None:
        import axe_selenium_python
        AXE = open(os.path.join(os.path.dirname(axe_selenium_python.__file__), "node_modules", "axe-core", "axe.min.js")).read()
    browser.execute_script(AXE)
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1]; axe.run(document).then(r => done({violations: r.violations, passes: r.passes.length}));")
    assert result["passes"] > 10, "axe ran its rules"
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


def test_22_batch_upload_with_progress_then_download(browser, site, tmp_path):
    import csv
    import io
    from stack import applicant
    ensure_signed_in(browser, site)
    rows = [applicant(id_client=4200 + index, age=30 + index) for index in range(40)]
    fields = list(rows[0].keys())

    def write(path, rows):
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow(fields)
        for row in rows:
            writer.writerow(["" if row[name] is None else str(row[name]).replace(".", ",") if isinstance(row[name], float) else row[name] for name in fields])
        path.write_text(out.getvalue(), encoding="utf-8")

    bad = [dict(row) for row in rows[:3]]
    bad[1]["age"] = 300
    write(tmp_path / "bad.csv", bad)
    write(tmp_path / "good.csv", rows)
    browser.get(site.base + "/#/batch")
    wait(browser, EC.visibility_of_element_located((By.ID, "batch-form")))
    browser.find_element(By.ID, "batch-file").send_keys(str(tmp_path / "bad.csv"))
    browser.find_element(By.ID, "batch-send").click()
    problems = wait(browser, EC.visibility_of_element_located((By.ID, "batch-problems")))
    assert "Line 3" in problems.text and "age" in problems.text, problems.text
    browser.find_element(By.ID, "batch-file").send_keys(str(tmp_path / "good.csv"))
    browser.find_element(By.ID, "batch-send").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "batch-download")), timeout=30)
    assert not browser.find_element(By.ID, "batch-problems").is_displayed()
    assert browser.find_element(By.ID, "batch-scoring").get_attribute("value") == "100"
    assert "40 applications scored" in browser.find_element(By.ID, "batch-status").text
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    files = download(browser, "batch-download", downloads)
    assert files == ["good-results.csv"], files
    with open(downloads / files[0], newline="", encoding="utf-8-sig") as handle:
        records = list(csv.DictReader(handle, delimiter=";"))  # the uploaded file's dialect, the page's language
    assert [record["Client ID"] for record in records] == [str(4200 + index) for index in range(40)]
    assert all(record["Final decision"] in ("Approve", "Refer for review", "Reject") and record["Reason 1"] for record in records)
    assert "good.csv" in browser.find_element(By.ID, "batches").text


def sign_in_as(browser, site, name, password=PASSWORD):
    """Signs out whoever is signed in, then in as `name`."""
    browser.get(site.base + "/#/new")
    if browser.execute_script("return sessionStorage.getItem('credit.token')"):
        browser.find_element(By.ID, "sign-out").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "username")))
    browser.find_element(By.ID, "username").clear()
    browser.find_element(By.ID, "username").send_keys(name)
    browser.find_element(By.ID, "password").clear()
    browser.find_element(By.ID, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "form.signin button[type=submit]").click()
    wait(browser, EC.invisibility_of_element_located((By.ID, "username")))


PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}


def axe_at_both_sizes(browser, site, views, found):
    """axe on each view (hash, element id) at a desktop size and on a phone, with screenshots."""
    for size, metrics in (("desktop", None), ("phone", PHONE)):
        if metrics:
            browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        try:
            for name, (hash_, ready) in views.items():
                browser.get(f"{site.base}/{hash_}")
                wait(browser, EC.visibility_of_element_located((By.ID, ready)))
                found[f"{name} ({size})"] = axe_violations(browser)
                if browser.screenshots:
                    browser.execute_script("window.scrollTo(0, 0)")
                    browser.save_screenshot(os.path.join(SCREENSHOTS, f"{name}-{size}.png"))
        finally:
            browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_23_review_queue_decision_panel_accounts_and_password_change(browser, site):
    if not hasattr(site, "cli"):
        pytest.skip("the roles are made with the stack's command line; the pages' URLs are relative, as the other views' are (tested under /credit/)")
    for name, role in (("web_reviewer", "reviewer"), ("web_admin", "admin")):
        if not getattr(site, f"made_{name}", False):
            site.cli("user", "add", name, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
            setattr(site, f"made_{name}", True)
    os.makedirs(SCREENSHOTS, exist_ok=True)
    found = {}
    # The officer sends an application to review with a note (or the model referred it).
    sign_in_as(browser, site, "alice")
    assert not browser.find_element(By.CSS_SELECTOR, "a[href='#/reviews']").is_displayed(), "an officer is not offered the queue"
    fill_required(browser, applicant_name="Review Me")
    browser.find_element(By.ID, "submit").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "result-card")))
    job_id = browser.find_element(By.ID, "application-id").text
    if browser.find_elements(By.ID, "review-request"):
        browser.find_element(By.ID, "review-request-note").send_keys("Please check the income")
        browser.find_element(By.CSS_SELECTOR, "#review-request button").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "review-open")))
    # The reviewer finds it in the queue and declines it with a reason.
    sign_in_as(browser, site, "web_reviewer")
    browser.get(site.base + "/#/reviews")
    link = wait(browser, EC.element_to_be_clickable((By.CSS_SELECTOR, f"#reviews a[href='#/result/{job_id}']")))
    axe_at_both_sizes(browser, site, {"reviews": ("#/reviews", "reviews"), "decision-panel": (f"#/result/{job_id}", "decision-form")}, found)
    browser.get(site.base + "/#/reviews")
    wait(browser, EC.element_to_be_clickable((By.CSS_SELECTOR, f"#reviews a[href='#/result/{job_id}']"))).click()
    wait(browser, EC.visibility_of_element_located((By.ID, "decision-form")))
    browser.find_element(By.CSS_SELECTOR, "input[name=final-decision][value=decline]").click()
    Select(browser.find_element(By.ID, "reason-code")).select_by_value("other")
    browser.find_element(By.CSS_SELECTOR, "#decision-form button[type=submit]").click()
    error = wait(browser, EC.visibility_of_element_located((By.ID, "review-error")))
    assert "note" in error.text.lower(), "Other needs a note, said beside the button"
    browser.find_element(By.ID, "review-note-input").send_keys("Income could not be confirmed by phone")
    browser.find_element(By.CSS_SELECTOR, "#decision-form button[type=submit]").click()
    final = wait(browser, EC.visibility_of_element_located((By.ID, "final-decision")))
    assert "Declined" in final.text
    assert browser.find_element(By.ID, "decided-by").text == "web_reviewer"
    # The officer sees the final decision beside the model's.
    sign_in_as(browser, site, "alice")
    browser.get(f"{site.base}/#/result/{job_id}")
    assert "Declined" in wait(browser, EC.visibility_of_element_located((By.ID, "final-decision"))).text
    # The administrator adds a user with a one-time password.
    sign_in_as(browser, site, "web_admin")
    browser.get(site.base + "/#/accounts")
    wait(browser, EC.visibility_of_element_located((By.ID, "add-user")))
    newbie = f"web_new_{int(time.time() * 1000) % 100000}"
    browser.find_element(By.ID, "new-user-name").send_keys(newbie)
    Select(browser.find_element(By.ID, "new-user-role")).select_by_value("officer")
    browser.find_element(By.ID, "new-user-password").send_keys("one time only 12")
    browser.find_element(By.CSS_SELECTOR, "#add-user button[type=submit]").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "accounts-status"), f"Added {newbie}"))
    assert newbie in browser.find_element(By.ID, "accounts").text
    axe_at_both_sizes(browser, site, {"accounts": ("#/accounts", "accounts"), "audit": ("#/audit", "audit")}, found)
    # The new user must choose a password before anything else; then the form opens.
    sign_in_as(browser, site, newbie, "one time only 12")
    wait(browser, EC.visibility_of_element_located((By.ID, "must-change")))
    axe_at_both_sizes(browser, site, {"account": ("#/account", "password-form")}, found)
    browser.find_element(By.ID, "current-password").send_keys("one time only 12")
    browser.find_element(By.ID, "new-password").send_keys("my very own password 9")
    browser.find_element(By.ID, "repeat-password").send_keys("my very own password 9")
    browser.find_element(By.CSS_SELECTOR, "#password-form button[type=submit]").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "application")))
    # The administrator resets that password (a one-time one again) and disables the account.
    sign_in_as(browser, site, "web_admin")
    browser.get(site.base + "/#/accounts")
    wait(browser, EC.visibility_of_element_located((By.ID, "accounts")))
    browser.find_element(By.XPATH, f"//button[text()='Reset password of {newbie}']").click()
    alert = wait(browser, EC.alert_is_present())
    alert.send_keys("another one time 34")
    alert.accept()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "accounts-status"), "new one-time password"))
    browser.find_element(By.XPATH, f"//button[text()='Disable {newbie}']").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "accounts-status"), f"{newbie} is disabled"))
    wait(browser, EC.visibility_of_element_located((By.XPATH, f"//button[text()='Enable {newbie}']")))
    browser.get(site.base + "/#/audit")
    wait(browser, EC.visibility_of_element_located((By.ID, "audit")))
    Select(browser.find_element(By.ID, "audit-action")).select_by_value("account_disabled")
    browser.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    wait(browser, EC.text_to_be_present_in_element((By.ID, "audit"), newbie))
    # The administrator's Model page: the policy, and the weekly stability chart with its table.
    browser.get(site.base + "/#/model")
    chart = wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, "#stability svg.stability-chart")))
    assert chart.size["width"] > 200
    assert "Inputs left out" in browser.find_element(By.ID, "model-policy").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "#stability > table tbody tr")) == 12, "a row a week"
    assert browser.find_elements(By.CSS_SELECTOR, "#input-stability tbody tr"), "each input's stability"
    axe_at_both_sizes(browser, site, {"model-admin": ("#/model", "stability")}, found)
    sign_in_as(browser, site, "alice")
    browser.get(site.base + "/#/model")
    wait(browser, EC.visibility_of_element_located((By.ID, "model-policy")))
    assert not browser.find_elements(By.ID, "stability"), "monitoring is for administrators"
    assert len(found) == 12
    assert {view: problems for view, problems in found.items() if problems} == {}


def test_18_every_view_passes_axe_at_both_sizes_with_screenshots(browser, site):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    ensure_signed_in(browser, site)
    fill_required(browser, applicant_name="Axe")
    browser.find_element(By.ID, "submit").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "result-card")))
    token = browser.execute_script("return sessionStorage.getItem('credit.token')")
    _, _, page = Site(site.base).json("GET", "/api/predictions?limit=1", token=token)
    views = {"form": ("#/new", "application"), "result": (f"#/result/{page['items'][0]['id']}", "result-card"),
             "history": ("#/history", "history"), "batch": ("#/batch", "batch-form"), "model": ("#/model", "main")}
    found = {}
    for size, metrics in (("desktop", None), ("phone", {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})):
        if metrics:
            browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        try:
            for name, (hash_, ready) in views.items():
                browser.get(f"{site.base}/{hash_}")
                wait(browser, EC.visibility_of_element_located((By.ID, ready) if ready != "main" else (By.CSS_SELECTOR, ".plots img")))
                found[f"{name} ({size})"] = axe_violations(browser)
                browser.execute_script("window.scrollTo(0, 0)")
                if browser.screenshots:
                    browser.save_screenshot(os.path.join(SCREENSHOTS, f"{name}-{size}.png"))
            browser.find_element(By.ID, "sign-out").click()
            wait(browser, EC.visibility_of_element_located((By.ID, "username")))
            found[f"sign-in ({size})"] = axe_violations(browser)
            if browser.screenshots:
                browser.save_screenshot(os.path.join(SCREENSHOTS, f"sign-in-{size}.png"))
            sign_in(browser, PASSWORD)
            wait(browser, EC.invisibility_of_element_located((By.ID, "username")))
        finally:
            browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert len(found) == 12
    assert {view: problems for view, problems in found.items() if problems} == {}


def test_99_no_console_errors_or_csp_violations(browser):
    assert browser.execute_script("return window.cspViolations") == []
    # Failed requests (the 401 of a wrong password or an expired token, the responder stopped on
    # purpose) are logged by the browser itself; anything else is a script error.
    severe = [entry for entry in browser.get_log("browser")
              if entry["level"] == "SEVERE" and "Failed to load resource" not in entry["message"]]
    assert severe == [], severe


def test_no_inline_scripts_or_styles_in_site():
    offending = []
    for folder, _, files in os.walk(os.path.join(ROOT, "site")):
        for name in files:
            if not name.endswith((".html", ".js", ".svg")):
                continue
            text = open(os.path.join(folder, name), encoding="utf-8").read()
            if name.endswith(".html"):
                if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text, re.I) or re.search(r"<style", text, re.I):
                    offending.append(name + ": inline <script> or <style>")
                if re.search(r"\son[a-z]+\s*=", text, re.I) or re.search(r"\sstyle\s*=", text, re.I) or "javascript:" in text:
                    offending.append(name + ": inline handler or style attribute")
            if name.endswith(".js") and re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function", text):
                offending.append(name + ": HTML string injection or eval")
    assert offending == []

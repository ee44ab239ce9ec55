"""The site in real headless Chromium (Debian's chromium + chromedriver, driven by Selenium)
against the running stack: sign-in, a complete application to its result, a validation error
next to its field, history, sign-out, and no console errors or CSP violations."""
import os
import re
import shutil
import time

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from stack import PASSWORD, ROOT

SCREENSHOTS = os.path.join(ROOT, "docs", "screenshots")


@pytest.fixture(scope="module", params=["root", "prefix"])
def site(request):
    """The site at the root of the test stack's own nginx, then under /credit/ of an nginx that
    serves a site of its own (the `credit setup nginx` include, from the dist bundle)."""
    if request.param == "root":
        return request.getfixturevalue("stack")
    return request.getfixturevalue("nginx_prefix").site


@pytest.fixture(scope="module")
def browser(site):
    if not shutil.which("chromedriver") or not os.path.exists("/usr/bin/chromium"):
        pytest.fail("Chromium is not installed: run scripts/install-deps.sh as root (WITH_BROWSER=1) or make test")
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,1600"]:
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.get(site.base + "/")
    driver.screenshots = not site.base.endswith("/credit")
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
    os.makedirs(SCREENSHOTS, exist_ok=True)
    if browser.screenshots:
        browser.save_screenshot(os.path.join(SCREENSHOTS, "form.png"))
    browser.find_element(By.ID, "submit").click()
    card = wait(browser, EC.visibility_of_element_located((By.ID, "result-card")))
    assert re.match(r"\d+\.\d %", browser.find_element(By.ID, "pd").text)
    assert browser.find_element(By.ID, "decision").text in ("Approve", "Refer for review", "Reject")
    assert int(browser.find_element(By.ID, "score").text) > 0
    assert len(card.find_elements(By.CSS_SELECTOR, "ul.reasons li")) >= 1
    assert browser.find_element(By.ID, "status").text == "Done."
    latency = int(browser.execute_script("return document.body.dataset.lastSubmitToResultMs"))
    print(f"\nsubmit-to-result-card in the browser: {latency} ms")
    assert latency <= 300, f"{latency} ms from Submit to the result card"
    if browser.screenshots:
        browser.save_screenshot(os.path.join(SCREENSHOTS, "result.png"))


def test_4_history_lists_the_new_application(browser):
    browser.find_element(By.LINK_TEXT, "History").click()
    table = wait(browser, EC.visibility_of_element_located((By.ID, "history")))
    first_row = table.find_elements(By.CSS_SELECTOR, "tbody tr")[0]
    assert "Browser Test" in first_row.text and "done" in first_row.text
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


def test_7_no_console_errors_or_csp_violations(browser):
    assert browser.execute_script("return window.cspViolations") == []
    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE" and "/api/token" not in entry["message"]]
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

"""A customer's request for review on the site, in Chromium: the officer records it from the
result page (statement and document checklist); the reviewer's queue shows the due date, the
customer's words and documents, corrects the income into a re-score shown beside the original,
and, once decided against the model, the queue, the result and History mark the override; axe finds nothing at a desktop size or
on a phone, and the queue does not scroll sideways on a phone."""
import os

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from stack import PASSWORD
from test_browser import PHONE, SCREENSHOTS, axe_violations, sign_in_as, wait
from test_language import browser  # noqa: F401  (the fixture: Chromium on the stack's site)
from test_governance import scored_with


def test_the_officer_records_the_request_and_the_reviewer_corrects_and_compares(browser, stack):
    for name, role in (("site_officer", "officer"), ("site_reviewer", "reviewer")):
        stack.cli("user", "add", name, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
    job = scored_with(stack, stack.token("site_officer"), "reject")
    job_id = job["id"]

    sign_in_as(browser, stack, "site_officer")
    browser.get(f"{stack.base}/#/result/{job_id}")
    wait(browser, EC.visibility_of_element_located((By.ID, "customer-review-form")))
    assert axe_violations(browser) == []
    browser.find_element(By.ID, "customer-statement").send_keys("My pay slip shows R$ 1,450 a month.")
    browser.find_element(By.CSS_SELECTOR, "input[name=customer-document][value=pay_slip]").click()
    browser.find_element(By.CSS_SELECTOR, "#customer-review-form button[type=submit]").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "customer-review-open")))
    panel = browser.find_element(By.ID, "customer-review-panel").text
    assert "My pay slip shows R$ 1,450 a month." in panel and "Pay slip" in panel, panel
    assert not browser.find_elements(By.ID, "customer-review-form"), "no second request while one is open"

    sign_in_as(browser, stack, "site_reviewer")
    browser.get(f"{stack.base}/#/reviews")
    row = wait(browser, EC.visibility_of_element_located((By.XPATH, f"//a[@href='#/result/{job_id}']/ancestor::tr")))
    assert "My pay slip shows R$ 1,450 a month." in row.text and "Pay slip" in row.text
    assert row.find_element(By.CSS_SELECTOR, "td[data-label='Due']").text.strip() not in ("", "—")
    for size, metrics in (("desktop", None), ("phone", PHONE)):
        if metrics:
            browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
            browser.get(f"{stack.base}/#/reviews")
            wait(browser, EC.visibility_of_element_located((By.XPATH, f"//a[@href='#/result/{job_id}']")))
        try:
            browser.find_element(By.ID, f"verified-form-{job_id}").find_element(By.XPATH, "ancestor::details/summary").click()
            assert axe_violations(browser) == [], size
            assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), f"no sideways scroll ({size})"
            browser.save_screenshot(os.path.join(SCREENSHOTS, f"customer-review-queue-{size}.png"))
        finally:
            if metrics:
                browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    browser.get(f"{stack.base}/#/reviews")
    wait(browser, EC.visibility_of_element_located((By.XPATH, f"//a[@href='#/result/{job_id}']")))
    browser.find_element(By.ID, f"verified-form-{job_id}").find_element(By.XPATH, "ancestor::details/summary").click()
    browser.find_element(By.ID, f"verified-personal_monthly_income-{job_id}").send_keys("1450")
    browser.find_element(By.CSS_SELECTOR, f"#verified-form-{job_id} button[type=submit]").click()
    comparison = wait(browser, EC.visibility_of_element_located((By.ID, f"comparison-{job_id}")), timeout=20)
    original = comparison.find_element(By.ID, f"original-{job_id}").text
    rescore = comparison.find_element(By.ID, f"rescore-{job_id}").text
    assert "Reject" in original and "%" in original and "%" in rescore, (original, rescore)

    status, _, decided = stack.json("POST", f"/api/predictions/{job_id}/decision",
                                    {"decision": "approve", "reason_code": "income_verified", "note": ""}, token=stack.token("site_reviewer"))
    assert status == 200 and decided["override"] is True
    browser.get(f"{stack.base}/#/reviews")
    wait(browser, EC.visibility_of_element_located((By.ID, "review-status")))

    Select(browser.find_element(By.ID, "review-status")).select_by_value("decided")
    row = wait(browser, EC.visibility_of_element_located((By.XPATH, f"//a[@href='#/result/{job_id}']/ancestor::tr")))
    assert row.find_element(By.CSS_SELECTOR, ".override-mark").text == "Override of the model"
    browser.get(f"{stack.base}/#/result/{job_id}")
    assert wait(browser, EC.visibility_of_element_located((By.ID, "override-mark"))).text.startswith("The final decision overrides")
    beside = wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, "#customer-rescore table.comparison")))
    assert "With verified inputs" in beside.text, "the result page shows the re-score beside the original too"
    sign_in_as(browser, stack, "site_officer")
    browser.get(f"{stack.base}/#/history")
    row = wait(browser, EC.visibility_of_element_located((By.XPATH, f"//a[contains(@href, '{job_id}')]/ancestor::tr")))
    assert row.find_element(By.CSS_SELECTOR, ".override-mark").text == "Override of the model", "History marks the override too"

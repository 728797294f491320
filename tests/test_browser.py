"""End to end in a real browser: Debian's chromium driven by Playwright against the demo
federation served by uvicorn. Set COUNCILPLAN_SCREENSHOTS=DIR to save the pages' pictures."""

import os
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from conftest import IO_TABLES, require
from councilplan.api import Settings
from councilplan.api.demo import build_demo
from councilplan.web import create_app

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = os.environ.get("COUNCILPLAN_SCREENSHOTS")


def _chromium() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Debian's chromium is missing under CI (.ci/run installs it)")
        pytest.skip("no /usr/bin/chromium (apt-get install chromium)")
    return CHROMIUM


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo federation on the UK table, served on a free loopback port."""
    require(IO_TABLES / "uk-ons-2015")
    demo = build_demo(tmp_path_factory.mktemp("demo"), seed_passwords=False)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(
        create_app(demo.service, Settings()), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", demo.passwords
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(executable), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield b
        b.close()


def signed_in(browser, site, member, viewport=(1280, 900)):
    base, passwords = site
    page = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                               base_url=base).new_page()
    page.goto("/sign-in")
    page.get_by_label("Member name").fill(member)
    page.get_by_label("Password").fill(passwords[member])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")
    return page


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def vote(browser, site, member, ballot_url, choice):
    page = signed_in(browser, site, member)
    page.goto(ballot_url)
    assert page.get_by_label(choice, exact=True).count() == 1, page.locator("main").inner_text()
    page.get_by_label(choice, exact=True).check()
    page.get_by_role("button", name="Cast my secret vote").click()
    receipt = page.locator("#receipt").inner_text()
    page.context.close()
    return receipt


def test_a_member_votes_gets_a_receipt_and_checks_it(browser, site):
    page = signed_in(browser, site, "ben")
    shot(page, "federation")
    page.get_by_role("link", name="adoption in riverside").click()
    shot(page, "ballot")
    page.get_by_label("adopt", exact=True).check()
    page.get_by_role("button", name="Cast my secret vote").click()
    receipt = page.locator("#receipt").inner_text()
    assert len(receipt) == 32
    shot(page, "receipt")
    page.get_by_role("link", name="Check my vote").click()
    assert "Counted under receipt" in page.locator("#receipt-result").inner_text()
    assert "adopt" in page.locator("#receipt-result").inner_text()
    page.context.close()


def test_a_recall_petition_reaches_threshold_and_removes_the_delegate(browser, site):
    page = signed_in(browser, site, "ben")
    page.goto("/councils/bakery")
    assert page.locator("#delegate").inner_text() == "ana"
    shot(page, "council")
    page.get_by_role("button", name="Sign the recall petition").click()
    page.wait_for_url("**/ballots/**")  # one of five signatures is the default threshold
    recall_url = page.url
    for member in ("ben", "chloe", "femi"):
        vote(browser, site, member, recall_url, "remove")
    vote(browser, site, "ana", recall_url, "keep")
    page.goto(recall_url)
    page.get_by_role("button", name="Close the ballot and publish").click()
    assert "remove" in page.locator("table").inner_text()
    page.goto("/councils/bakery")
    assert page.locator("#delegate").inner_text() == "No delegate is seated."
    page.context.close()


def test_a_plan_is_drafted_charted_and_adopted(browser, site):
    page = signed_in(browser, site, "chloe")
    page.goto("/plans")
    page.get_by_label("Title").fill("Five per cent more")
    page.get_by_label("Kind").select_option("balanced")
    page.get_by_label("Growth of final demand, % a year").fill("5")
    page.get_by_role("button", name="Draft the plan").click()
    page.wait_for_url("**/plans/*")
    page.locator(".plot .main-svg").first.wait_for()  # Plotly drew the charts
    assert page.locator(".plot").count() == 4
    shot(page, "plan-dashboard")
    page.get_by_label("Council", exact=True).select_option("riverside")
    page.get_by_role("button", name="Open the adoption ballot").click()
    page.wait_for_url("**/ballots/**")
    ballot_url = page.url
    for member in ("ana", "chloe", "dev"):  # ana keeps her own seat after her recall
        vote(browser, site, member, ballot_url, "adopt")
    page.goto(ballot_url)
    page.get_by_role("button", name="Close the ballot and publish").click()
    page.get_by_role("link", name=page.locator("a[href^='/plans/']").first.inner_text()).click()
    assert "Adopted by riverside" in page.content()
    page.context.close()


def test_the_record_verifies_in_the_browser(browser, site):
    page = signed_in(browser, site, "dev")
    page.goto("/record")
    page.get_by_role("button", name="Verify the whole record").click()
    result = page.locator("#verification").inner_text()
    assert result.startswith("The record verifies")
    shot(page, "record")
    page.goto("/plans")
    page.get_by_role("link", name="Five years at 2 % growth").click()
    page.locator(".plot .main-svg").first.wait_for()
    shot(page, "five-year-plan")
    page.context.close()


def test_pages_work_on_a_phone_and_by_keyboard(browser, site):
    page = signed_in(browser, site, "emma", viewport=(390, 844))
    page.goto("/councils/riverside")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the page scrolls sideways on a phone ({width}px)"
    shot(page, "council-phone")
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    fields = "input:not([type=hidden]), select, textarea"
    unlabelled = page.evaluate(f"""[...document.querySelectorAll('{fields}')]
        .filter(e => !e.labels || e.labels.length === 0).length""")
    assert unlabelled == 0
    page.context.close()


def test_wrong_password_is_refused_in_the_browser(browser, site):
    base, _ = site
    page = browser.new_page(base_url=base)
    page.goto("/sign-in")
    page.get_by_label("Member name").fill("ana")
    page.get_by_label("Password").fill("not her password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "wrong member name or password"
    page.close()

"""The docs site as a reader meets it: built strict, served locally, opened in headless Chromium."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from cdp import Browser, Page
from served_site import REPO, SCREENSHOTS, base_url, browser, site  # noqa: F401 - fixtures

from contracts.site.fields import fields
from multi_workflow_telemetry.catalogue import Catalogue

pytestmark = pytest.mark.xdist_group("browser")  # one worker builds the site and starts Chromium once

DRAFT = REPO.parent / "shared" / "seed" / "multi-workflow-telemetry-contract-draft.md"
CATALOGUE = Catalogue(REPO / "schemas")
EVENT_PAGES = [(f.name, f.version) for e in CATALOGUE.events() for f in CATALOGUE.versions(e)]

FIELD_NAMES = """[...document.querySelectorAll('.mw-fields a.mw-field')].filter(a => {
  const r = a.getBoundingClientRect(); const s = getComputedStyle(a);
  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
}).map(a => a.textContent.trim())"""


def _url(base: str, event: str, version: str) -> str:
    return urljoin(base, f"events/{event}/{version}/")


@pytest.fixture
def page(browser: Browser) -> Page:  # noqa: F811
    tab = Page(browser)
    yield tab  # type: ignore[misc]
    tab.close()


def draft_inventory(event: str) -> list[str]:
    """The field names of `event`'s table in the draft, as the draft writes them."""
    text = DRAFT.read_text(encoding="utf-8")
    section = text.split(f"### {event}\n", 1)[1].split("\n### ", 1)[0].split("**Example", 1)[0]
    rows = [line.split("|")[1].strip() for line in section.splitlines() if line.startswith("| ")]
    return [r for r in rows if r not in ("Field", "---")]


@pytest.mark.parametrize(("event", "version"), EVENT_PAGES, ids=[f"{e}@{v}" for e, v in EVENT_PAGES])
def test_event_page_shows_every_field(page: Page, base_url: str, event: str, version: str) -> None:  # noqa: F811
    page.goto(_url(base_url, event, version))
    shown = page.evaluate(FIELD_NAMES)
    expected = [f.name for f in fields(CATALOGUE.get(f"{event}@{version}"), CATALOGUE.registry)]
    assert shown == expected
    nested = {"multi_workflow.plan_created": ["stages[].index"],
              "multi_workflow.execution_summary": ["stages[].index", "stage_runs[].workflows[].status"]}
    for name in nested.get(event, []):
        assert name in shown
    if event in ("multi_workflow.plan_created", "multi_workflow.execution_summary"):
        if not DRAFT.is_file():
            pytest.skip(f"the draft is not beside the repository ({DRAFT})")
        missing = [name for name in draft_inventory(event) if name not in shown]
        assert not missing, f"fields of the draft's inventory not on the page: {missing}"


def test_inventory_is_read_from_the_draft() -> None:
    # The inventory comparison above is only as good as this parse.
    if not DRAFT.is_file():
        pytest.skip(f"the draft is not beside the repository ({DRAFT})")
    plan = draft_inventory("multi_workflow.plan_created")
    summary = draft_inventory("multi_workflow.execution_summary")
    assert len(plan) == 15 and plan[0] == "event_type" and plan[-1] == "stages[].blocking_conflicts"
    assert "stage_runs[].workflows[].status" in summary and len(summary) == 23


def test_field_anchor_links_resolve(page: Page, base_url: str) -> None:  # noqa: F811
    checked = 0
    for event, version in EVENT_PAGES:
        url = _url(base_url, event, version)
        page.goto(url)
        anchors = page.evaluate("[...document.querySelectorAll('.mw-fields a.mw-field')].map(a => [a.id, a.href])")
        assert anchors, f"{url}: no field anchors"
        for ident, href in anchors:
            assert href == f"{url}#{ident}", f"{url}: the row of {ident} links to {href}"
        # Follow a nested field's link as a reader would: the row is the target and in view.
        ident = anchors[-1][0]
        page.evaluate(f"document.querySelector('a.mw-field[id=\"{ident}\"]').click()")
        state = page.wait_for(
            "(() => { const t = document.querySelector(':target'); if (!t) return null;"
            " const r = t.getBoundingClientRect(); return {id: t.id, top: r.top, bottom: r.bottom, height: innerHeight}; })()"
        )
        assert state["id"] == ident and 0 <= state["top"] and state["bottom"] <= state["height"]
        checked += len(anchors)
    assert checked > 50


def test_every_fragment_link_on_an_event_page_resolves(page: Page, base_url: str) -> None:  # noqa: F811
    """Links to fields, examples and rules (on the rules page) all land on an element."""
    event, version = next((e, v) for e, v in EVENT_PAGES if e == "multi_workflow.execution_summary")
    url = _url(base_url, event, version)
    page.goto(url)
    links = page.evaluate("[...document.querySelectorAll('article a[href*=\"#\"]')].map(a => a.href)")
    targets: dict[str, set[str]] = {}
    for link in links:
        where, fragment = urldefrag(link)
        if fragment and urlsplit(where).netloc == urlsplit(base_url).netloc:
            targets.setdefault(where, set()).add(fragment)
    assert any("reference/rules/" in w for w in targets), "the page links to no rule"
    for where, fragments in targets.items():
        page.goto(where)
        ids = set(page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)"))
        missing = sorted(fragments - ids)
        assert not missing, f"{where}: no element for #{', #'.join(missing)}"


def _search(page: Page, base_url: str, query: str) -> list[str]:
    page.goto(base_url)
    page.evaluate("document.querySelector('input.md-search__input').focus()")
    page.send("Input.insertText", {"text": query})
    # The theme shows ten matching pages at first and the next ten as the list is scrolled:
    # scroll to the end until every page the count names is shown, or a later version's page
    # would push an earlier one out of sight.
    return page.wait_for(
        "(() => { const w = document.querySelector('.md-search__scrollwrap'); w.scrollTop = w.scrollHeight;"
        " const shown = document.querySelectorAll('.md-search-result__list > .md-search-result__item').length;"
        " const meta = /(\\d+)/.exec(document.querySelector('.md-search-result__meta').textContent);"
        " const a = [...document.querySelectorAll('.md-search-result__item a')].map(a => a.href);"
        " return a.length && meta && shown >= +meta[1] ? a : null; })()"
    )


def test_search_for_plan_id_finds_the_event_pages(page: Page, base_url: str) -> None:  # noqa: F811
    found = _search(page, base_url, "plan_id")
    for event in ("multi_workflow.plan_created", "multi_workflow.execution_summary"):
        assert any(f"/events/{event}/" in href for href in found), f"no result on a {event} page: {found}"


def test_no_request_leaves_the_site(page: Page, base_url: str) -> None:  # noqa: F811
    event, version = EVENT_PAGES[-1]
    page.goto(base_url)
    page.goto(_url(base_url, event, version))
    _search(page, base_url, "plan_id")
    host = urlsplit(base_url).netloc
    seen = list(page.requests)
    assert any(u.endswith("search/search_index.json") for u in seen), f"the search worker's fetch was not seen: {seen}"
    outside = [u for u in seen if urlsplit(u).scheme not in ("data", "blob", "about") and urlsplit(u).netloc != host]
    assert not outside, f"requests to another host: {outside}"
    # The recorder would have seen one: a request to another host shows up in `requests`.
    page.evaluate("fetch('http://telemetry.example/probe').catch(() => null)")
    deadline = time.monotonic() + 10
    while not any(u.startswith("http://telemetry.example/") for u in page.requests) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any(u.startswith("http://telemetry.example/") for u in page.requests)


def test_screenshot_of_an_event_page(page: Page, base_url: str) -> None:  # noqa: F811
    event, version = next((e, v) for e, v in reversed(EVENT_PAGES) if e == "multi_workflow.plan_created")
    page.goto(_url(base_url, event, version))
    path = page.screenshot(SCREENSHOTS / f"{event}-{version}.png", height=2400)  # down through the fields
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")  # the PNG's IHDR
    assert width >= 1200 and height == 2400
    assert Path(path).is_relative_to(REPO / "build")

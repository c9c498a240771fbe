"""The site read on screens from 320 px to 1440 px (a phone to a wide desktop): nothing wider than the screen,
every event page titled with its event, versions reachable, superseded versions flagged, search
finding the field first, the diagram legible, screenshots for a reviewer."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from cdp import Browser, Page
from served_site import SCREENSHOTS, base_url, browser, site  # noqa: F401 - fixtures

from multi_workflow_telemetry.catalogue import Catalogue
from served_site import REPO

CATALOGUE = Catalogue(REPO / "schemas")
EVENT_PAGES = [(f.name, f.version) for e in CATALOGUE.events() for f in CATALOGUE.versions(e)]
WIDTHS = [1400, 390]

# Every table, folded ones opened: its box inside the screen and no sideways scrolling inside it.
OVERFLOW = """(() => {
  document.querySelectorAll('details').forEach(d => d.open = true);
  const w = document.documentElement.clientWidth;
  const tables = [...document.querySelectorAll('article table')].filter(t => t.getBoundingClientRect().width > 0);
  const wide = tables.filter(t => { const r = t.getBoundingClientRect();
    return r.left < -1 || r.right > w + 1 || t.scrollWidth > t.clientWidth + 1; })
    .map(t => (t.querySelector('th, td') || t).textContent.trim().slice(0, 40));
  // The theme wraps each table in a box that scrolls sideways: a table wider than the article is
  // cut at its edge there, the rest reached only by scrolling that box.
  const scrolled = [...document.querySelectorAll('article .md-typeset__scrollwrap')]
    .filter(s => s.scrollWidth > s.clientWidth + 1)
    .map(s => (s.querySelector('th, td') || s).textContent.trim().slice(0, 40));
  return {w, page: document.documentElement.scrollWidth, tables: tables.length, wide: wide.concat(scrolled)};
})()"""


@pytest.fixture
def page(browser: Browser) -> Page:  # noqa: F811
    tab = Page(browser)
    yield tab  # type: ignore[misc]
    tab.close()


def _pages(site: Path) -> list[str]:  # noqa: F811
    found = sorted(str(p.parent.relative_to(site)) for p in site.rglob("index.html"))
    return [("" if p == "." else p + "/") for p in found if not p.startswith(("assets", "search"))]


def _event_url(base: str, event: str, version: str) -> str:
    return urljoin(base, f"events/{event}/{version}/")


@pytest.mark.parametrize("width", [320, 390, 768, 1024, 1440])
def test_no_page_and_no_table_is_wider_than_the_screen(page: Page, base_url: str, site: Path, width: int) -> None:  # noqa: F811
    page.set_width(width)
    paths = _pages(site)
    assert len(paths) >= 15 and "fields/" in paths
    wrong = []
    for path in paths:
        page.goto(urljoin(base_url, path))
        found = page.evaluate(OVERFLOW)
        if found["page"] > found["w"] or found["wide"]:
            wrong.append(f"/{path}: page {found['page']} px on {found['w']}; tables too wide: {found['wide']}")
    assert not wrong, "\n".join(wrong)


def test_on_a_phone_each_cell_is_labelled_with_its_column(page: Page, base_url: str) -> None:  # noqa: F811
    page.set_width(390)
    page.goto(_event_url(base_url, "multi_workflow.plan_created", "1.1.0"))
    row = page.evaluate("""(() => { const a = document.querySelector('a.mw-field[id="field-batch_id"]');
      const cells = [...a.closest('tr').querySelectorAll('td')];
      return cells.map(td => [getComputedStyle(td, '::before').content, Math.round(td.getBoundingClientRect().right)]); })()""")
    assert [label for label, _ in row] == ['"field"', '"type, presence"', '"constraints"', '"description"']
    assert all(right <= 390 for _, right in row)


@pytest.mark.parametrize("width", WIDTHS)
def test_every_event_page_names_its_event_in_title_and_header(page: Page, base_url: str, width: int) -> None:  # noqa: F811
    page.set_width(width)
    for event, version in EVENT_PAGES:
        page.goto(_event_url(base_url, event, version))
        title = page.evaluate("document.title")
        h1 = page.evaluate("document.querySelector('article h1').textContent.trim()")
        header = page.evaluate("[...document.querySelectorAll('.md-header__topic .md-ellipsis')].map(e => e.textContent.trim())")
        assert f"{event} {version}" in title and h1.startswith(f"{event} {version}")
        assert any(f"{event} {version}" in h for h in header), header


@pytest.mark.parametrize("width", WIDTHS)
def test_the_version_switcher_reaches_every_version(page: Page, base_url: str, width: int) -> None:  # noqa: F811
    page.set_width(width)
    for event in CATALOGUE.events():
        versions = [f.version for f in CATALOGUE.versions(event)]
        start = _event_url(base_url, event, versions[0])
        page.goto(start)
        reached = {versions[0]}
        for version in versions[1:]:
            link = page.evaluate(f"""(() => {{ const a = [...document.querySelectorAll('.mw-versions a')]
              .find(a => a.textContent.trim().startsWith('{version}')); if (!a) return null;
              const r = a.getBoundingClientRect(); return r.width > 0 && r.right <= innerWidth ? a.href : 'hidden'; }})()""")
            assert link == _event_url(base_url, event, version), f"{start}: no visible link to {version} ({link})"
            page.goto(link)
            reached.add(page.evaluate("document.querySelector('.mw-versions strong').textContent.split(' ')[0]"))
        assert reached == set(versions)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_superseded_page_shows_its_banner(page: Page, base_url: str, width: int) -> None:  # noqa: F811
    page.set_width(width)
    for event in CATALOGUE.events():
        versions = [f.version for f in CATALOGUE.versions(event)]
        for version in versions:
            page.goto(_event_url(base_url, event, version))
            banner = page.evaluate("""(() => { const t = document.querySelector('article .admonition.warning .admonition-title');
              if (!t) return null; const r = t.getBoundingClientRect();
              return {text: t.textContent, top: r.top, visible: r.width > 0, link: t.parentElement.querySelector('a').href}; })()""")
            if version == versions[-1]:
                assert banner is None
            else:
                assert banner and banner["visible"] and banner["text"].startswith("Superseded")
                assert banner["top"] < page.evaluate("innerHeight")  # seen without scrolling
                assert banner["link"] == _event_url(base_url, event, versions[-1])


@pytest.mark.parametrize("width", WIDTHS)
def test_search_for_plan_id_puts_a_field_row_first(page: Page, base_url: str, width: int) -> None:  # noqa: F811
    page.set_width(width)
    page.goto(base_url)
    if width < 1220:  # Material folds the search box behind its icon on narrow screens
        page.evaluate("document.querySelector('label.md-header__button[for=\"__search\"]').click()")
    page.evaluate("document.querySelector('input.md-search__input').focus()")
    page.send("Input.insertText", {"text": "plan_id"})
    # Material groups the results by page: the first group is the best page, its links the page
    # and then its best sections.
    found = page.wait_for(
        "(() => { const g = document.querySelector('.md-search-result__item');"
        " return g ? [...g.querySelectorAll('a')].map(a => a.href) : null; })()")
    page_url, sections = urlsplit(found[0]), [urlsplit(u) for u in found[1:]]
    assert page_url.path == "/fields/" or page_url.path.startswith("/events/"), f"first result: {found}"
    assert sections and sections[0].fragment == "field-plan_id", f"first section of the first result: {found}"
    titles = page.evaluate("[...document.querySelectorAll('.md-search-result__item h1')].map(h => h.textContent)")
    event_titles = [t for t in titles if t.split()[0][:1].isdigit()]
    assert not event_titles, f"a result titled by a version alone: {event_titles}"


def test_the_diagram_is_legible_on_a_phone(page: Page, base_url: str) -> None:  # noqa: F811
    for width, smallest in ((390, 12), (1400, 12)):
        page.set_width(width)
        page.goto(base_url)
        sizes = page.evaluate("""[...document.querySelectorAll('.mw-diagram svg')].filter(s => s.getBoundingClientRect().width > 0)
          .flatMap(s => [...s.querySelectorAll('text')].map(t => t.getBoundingClientRect().height))""")
        assert sizes and min(sizes) >= smallest, f"at {width} px the diagram's smallest text is {min(sizes or [0]):.1f} px high"


# Each label of the diagram inside the drawing, and a label written in a box inside that box: SVG
# text does not wrap, and the reader's sans-serif may be wider than the one it was drawn with.
DIAGRAM_TEXT_OUTSIDE = """[...document.querySelectorAll('.mw-diagram svg')].filter(s => s.getBoundingClientRect().width > 0)
  .flatMap(s => { const box = s.getBoundingClientRect(); const rects = [...s.querySelectorAll('rect')].map(r => r.getBoundingClientRect());
    const inside = (t, r) => t.left >= r.left - 1 && t.right <= r.right + 1 && t.top >= r.top - 1 && t.bottom <= r.bottom + 1;
    return [...s.querySelectorAll('text')].filter(t => { const b = t.getBoundingClientRect();
      const cx = (b.left + b.right) / 2, cy = (b.top + b.bottom) / 2;
      const home = rects.find(r => cx > r.left && cx < r.right && cy > r.top && cy < r.bottom);
      return !inside(b, box) || (home && !inside(b, home)); }).map(t => t.textContent); })"""


@pytest.mark.parametrize("width", [320, 390, 768, 1024, 1400])
def test_no_label_of_the_diagram_is_cut_off_or_crosses_its_box(page: Page, base_url: str, width: int) -> None:  # noqa: F811
    page.set_width(width)
    page.goto(base_url)
    assert page.evaluate("[...document.querySelectorAll('.mw-diagram svg')].filter(s => s.getBoundingClientRect().width > 0).length") == 1
    outside = page.evaluate(DIAGRAM_TEXT_OUTSIDE)
    assert not outside, f"at {width} px these labels of the diagram leave the drawing or their box: {outside}"


def test_code_has_copy_buttons_and_decisions_have_anchors(page: Page, base_url: str) -> None:  # noqa: F811
    page.set_width(1400)
    page.goto(urljoin(base_url, "package/"))
    assert page.evaluate("document.querySelectorAll('pre button.md-code__button, pre button.md-clipboard').length") > 0
    page.goto(urljoin(base_url, "decisions/#d6"))
    target = page.wait_for("(() => { const t = document.querySelector(':target'); return t && t.id; })()")
    assert target == "d6"
    ids = page.evaluate("[...document.querySelectorAll('article table tr td:first-child a[id]')].map(a => a.id)")
    assert ids[:3] == ["d1", "d2", "d3"] and len(ids) >= 25


def test_sitemap_and_404_work(site: Path) -> None:  # noqa: F811
    sitemap = (site / "sitemap.xml").read_text()
    for event, version in EVENT_PAGES:
        assert f"<loc>https://contracts.multi-workflow.dev/events/{event}/{version}/</loc>" in sitemap
    assert "<loc>https://contracts.multi-workflow.dev/fields/</loc>" in sitemap
    not_found = (site / "404.html").read_text()
    assert 'href="/assets/stylesheets/' in not_found  # absolute: works at any depth


@pytest.mark.parametrize("width", WIDTHS)
def test_screenshots_of_home_an_event_page_and_the_registry(page: Page, base_url: str, width: int) -> None:  # noqa: F811
    page.set_width(width)
    event, version = next((e, v) for e, v in reversed(EVENT_PAGES) if e == "multi_workflow.execution_summary")
    for name, path in (("home", ""), ("event", f"events/{event}/{version}/"), ("registry", "fields/")):
        page.goto(urljoin(base_url, path))
        shot = page.screenshot(SCREENSHOTS / f"{name}-{width}.png", height=1800)
        data = shot.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        assert width - 20 <= int.from_bytes(data[16:20], "big") <= width and int.from_bytes(data[20:24], "big") == 1800

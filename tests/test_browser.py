"""The dashboard and the served app in a real headless Chromium (Debian's, driven by Playwright).

Set POLICYSCOPE_SCREENSHOTS=DIR to keep the screenshots.
"""
from __future__ import annotations

import io
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

from policyscope.report.browser import CHROMIUM_ARGS, find_chromium
from test_dashboard import synthetic_dashboard
from test_figures import malicious_store, run_track_into

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[1]


def _chromium() -> str:
    path = find_chromium()
    if path is None and hasattr(os, "geteuid") and os.geteuid() == 0:
        # CI runs as root: install Debian's chromium (make test does this too; idempotent)
        subprocess.run(["bash", str(REPO / "scripts" / "install_browser.sh")], stdin=subprocess.DEVNULL,
                       timeout=1200, check=False)
        path = find_chromium()
    if path is None:
        pytest.skip("no Chromium: /usr/bin/chromium is absent and scripts/install_browser.sh could not install it "
                    "(needs root and apt-get)")
    return path


@pytest.fixture(scope="module")
def browser():
    pw_api = pytest.importorskip("playwright.sync_api")
    path = _chromium()
    pw = pw_api.sync_playwright().start()
    b = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
    yield b
    b.close()
    pw.stop()


@pytest.fixture()
def shots(tmp_path) -> Path:
    d = os.environ.get("POLICYSCOPE_SCREENSHOTS")
    p = Path(d) if d else tmp_path
    p.mkdir(parents=True, exist_ok=True)
    return p


class Page:
    """A page that records console errors, page errors, dialogs and non-local requests."""

    def __init__(self, browser, width=1366, height=900):
        self.ctx = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.ctx.new_page()
        self.errors, self.dialogs, self.remote = [], [], []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("request", self._request)

    def _request(self, req):
        url = req.url
        if not url.startswith(("file:", "data:", "blob:", "http://127.0.0.1", "about:")):
            self.remote.append(url)

    def close(self):
        self.ctx.close()


def non_blank(png: bytes) -> float:
    """Standard deviation of the grey levels: 0 for a blank image."""
    import numpy as np
    from PIL import Image
    img = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    return float(img.std())


POINT_JS = """
(args) => {
  const gd = document.querySelector(args.sel);
  const fl = gd._fullLayout;
  const traces = gd._fullData.map((t, i) => [t, i]).filter(([t]) => t.meta && t.meta.role === 'points');
  for (const [t] of traces) {
    for (let j = 0; j < t.x.length; j++) {
      if (t.x[j] === null || t.y[j] === null || !t.customdata[j] || !t.customdata[j][0]) continue;
      if (args.key && t.customdata[j][0] !== args.key) continue;
      const r = gd.getBoundingClientRect();
      const ya = t.yaxis && t.yaxis !== 'y' ? fl['yaxis' + t.yaxis.slice(1)] : fl.yaxis;
      return {x: r.left + fl.xaxis._offset + fl.xaxis.l2p(t.x[j]),
              y: r.top + ya._offset + ya.l2p(t.y[j]), key: t.customdata[j][0]};
    }
  }
  return null;
}
"""


def click_point(page, sel: str, key: str | None = None) -> str:
    page.locator(sel).scroll_into_view_if_needed()
    time.sleep(0.3)
    pt = page.evaluate(POINT_JS, {"sel": sel, "key": key})
    assert pt, f"no clickable point in {sel}"
    page.mouse.move(pt["x"], pt["y"])
    page.wait_for_selector(f"{sel} .hoverlayer .hovertext", timeout=10_000)
    page.mouse.click(pt["x"], pt["y"])
    return pt["key"]


@pytest.fixture(scope="module")
def demo_dashboard(demo_db, tmp_path_factory):
    from policyscope.report.dashboard import build_dashboard
    tmp = tmp_path_factory.mktemp("browser")
    track = run_track_into(demo_db, tmp / "track")
    return build_dashboard(demo_db, track, tmp / "demo.html")


def test_demo_dashboard_renders_and_a_click_shows_evidence(browser, demo_dashboard, shots):
    p = Page(browser)
    page = p.page
    t0 = time.perf_counter()
    page.goto(demo_dashboard.as_uri())
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    load_seconds = time.perf_counter() - t0
    assert non_blank(page.locator("#fig-share").screenshot()) > 10
    page.screenshot(path=str(shots / "dashboard-laptop.png"))
    # the error-corrected share is shown first and the page says so; the tagged series is one click away
    assert page.locator("#measure").input_value() == "sentence_share_corrected"
    assert page.locator("#correction-note").is_visible()
    assert "corrected for the detector's measured error" in page.locator("#correction-text").text_content()
    page.click("#correction-toggle")
    page.wait_for_timeout(300)
    assert page.locator("#measure").input_value() == "sentence_share"
    assert "as tagged" in page.locator("#correction-text").text_content()
    assert page.locator("#fig-share .scatterlayer .trace").count() > 0
    page.click("#correction-toggle")
    assert page.locator("#measure").input_value() == "sentence_share_corrected"
    # hover: counts and top quotes
    key = click_point(page, "#fig-share")
    hover = page.locator("#fig-share .hoverlayer .hovertext").first.text_content()
    assert "sentences" in hover and "documents" in hover
    # click: the evidence table lists the point's sentences with title, date, page and citation
    page.wait_for_selector("#ev-table tbody tr", timeout=10_000)
    meta = page.evaluate("window.policyscope.meta")
    point = next(x for x in meta["points"] if x["key"] == key)
    rows = page.locator("#ev-table tbody tr")
    assert rows.count() == min(point["n_sentences"], 50)
    first = rows.first.locator("td").all_text_contents()
    date, title, page_no, _concept, sentence, citation = first
    assert date and title and page_no.isdigit() and len(sentence) > 10
    assert "[policyscope " in citation and title.split()[0] in citation
    assert str(point["n_sentences"]) in page.locator("#ev-title").text_content()
    page.locator("#evidence").screenshot(path=str(shots / "dashboard-evidence.png"))
    # search narrows the table
    word = sentence.split()[0]
    page.fill("#ev-search", word)
    page.wait_for_timeout(400)
    assert 1 <= page.locator("#ev-table tbody tr").count() <= min(point["n_sentences"], 50)
    # another measure and doc_type still draw
    page.select_option("#measure", "rate")
    page.wait_for_timeout(300)
    page.select_option("#doctype", index=1)
    page.wait_for_timeout(300)
    assert page.locator("#fig-share .scatterlayer .trace").count() > 0
    page.select_option("#doctype", "all")
    page.uncheck("#milestones")
    page.wait_for_timeout(300)
    # KWIC, dispersion, words and methods render
    page.locator("#kwic").scroll_into_view_if_needed()
    page.wait_for_selector("#kwic-table tbody tr", timeout=10_000)
    assert page.locator("#kwic-table td.match").first.text_content()
    disp_key = click_point(page, "#fig-dispersion")
    assert disp_key.startswith("disp|")
    page.wait_for_function("document.querySelector('#ev-title').textContent.includes('page') || "
                           "document.querySelector('#ev-title').textContent.includes('part')", timeout=10_000)
    assert non_blank(page.locator("#fig-dispersion").screenshot()) > 5
    page.locator("#words").screenshot(path=str(shots / "dashboard-words.png"))
    assert "social_care" in page.locator("#methods").text_content()
    page.screenshot(path=str(shots / "dashboard-full.png"), full_page=True)
    assert not p.errors, p.errors
    assert not p.remote, f"the dashboard fetched from the network: {p.remote}"
    assert load_seconds < 15
    p.close()


def test_dashboard_on_a_phone(browser, demo_dashboard, shots):
    p = Page(browser, width=390, height=844)
    page = p.page
    page.goto(demo_dashboard.as_uri())
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 391  # no sideways scrolling
    assert non_blank(page.locator("#fig-share").screenshot()) > 10
    page.screenshot(path=str(shots / "dashboard-phone.png"))
    click_point(page, "#fig-share")
    page.wait_for_selector("#ev-table tbody tr", timeout=10_000)
    page.screenshot(path=str(shots / "dashboard-phone-evidence.png"))
    assert not p.errors, p.errors
    p.close()


def test_malicious_document_script_does_not_run(browser, tmp_path, shots):
    from policyscope.report.dashboard import build_dashboard
    db = malicious_store(tmp_path)
    track = run_track_into(db, tmp_path / "track")
    out = build_dashboard(db, track, tmp_path / "evil.html")
    p = Page(browser)
    page = p.page
    page.goto(out.as_uri())
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    meta = page.evaluate("window.policyscope.meta")
    evil = [x for x in meta["points"] if x["period"] == "2016" and x["doc_type"] == "all"
            and x["measure"] == "sentence_share" and x["n_sentences"] > 0]
    assert evil, "the malicious document's sentences are evidence for a 2016 point"
    click_point(page, "#fig-share", evil[0]["key"])  # hover shows the quotes (escaped), click opens them
    page.wait_for_selector("#ev-table tbody tr", timeout=10_000)
    cells = page.locator("#ev-table td.sent").all_text_contents()
    assert any("<script>" in c for c in cells) or any("<img src=x" in c or "<b onmouseover" in c for c in cells)
    page.locator("#kwic").scroll_into_view_if_needed()
    page.wait_for_selector("#kwic-table tbody tr", timeout=10_000)
    page.fill("#kwic-search", "script")
    page.wait_for_timeout(400)
    page.locator("#methods").scroll_into_view_if_needed()
    assert "<script>alert('title')</script>" in page.locator("#methods").text_content()
    page.locator("#evidence").screenshot(path=str(shots / "dashboard-malicious.png"))
    assert page.evaluate("window.__xss") is None
    assert page.locator("#evidence img, #kwic img, #methods img, #evidence script, #evidence b").count() == 0
    assert not p.dialogs, f"a document's script ran: {p.dialogs}"
    assert not p.errors, p.errors
    p.close()


def test_1000_document_dashboard_opens_in_seconds(browser, tmp_path):
    out, _, n_hits = synthetic_dashboard(tmp_path / "big.html")
    p = Page(browser)
    page = p.page
    t0 = time.perf_counter()
    page.goto(out.as_uri())
    page.wait_for_selector("body[data-ready='1']", timeout=60_000)
    opened = time.perf_counter() - t0
    key = page.evaluate("window.policyscope.meta.points[0].key")
    t1 = time.perf_counter()
    page.evaluate("k => window.policyscope.showEvidence(k, 'x', false)", key)
    page.wait_for_selector("#ev-table tbody tr", timeout=60_000)
    decoded = time.perf_counter() - t1
    print(f"synthetic 1,000 documents ({n_hits} hits, {out.stat().st_size / 1e6:.1f} MB): "
          f"opened in {opened:.1f}s, first evidence in {decoded:.1f}s")
    assert opened < 10 and decoded < 10
    assert not p.errors, p.errors
    p.close()


def test_served_app_in_the_browser(browser, demo_db, shots):
    from policyscope.report.app import make_server
    server, _ = make_server(demo_db, port=0)
    th = threading.Thread(target=server.serve_forever, daemon=True)
    th.start()
    p = Page(browser)
    page = p.page
    try:
        page.goto(f"http://127.0.0.1:{server.server_port}/")
        page.wait_for_function("document.querySelectorAll('#timeline .scatterlayer .trace').length > 0",
                               timeout=90_000)
        page.wait_for_timeout(500)
        assert non_blank(page.locator("#timeline").screenshot()) > 10
        page.screenshot(path=str(shots / "app.png"))
        click_point(page, "#timeline .js-plotly-plot")
        page.wait_for_function("document.querySelector('#evidence-title').textContent.includes('sentences behind')",
                               timeout=30_000)
        rows = page.locator("#evidence tr[data-sentence-id]")
        assert rows.count() > 0
        assert "[policyscope " in rows.first.text_content()
        # a free query, live
        page.click("#mode input[value=query]")
        page.fill("input#query", "direct payment*")
        page.press("input#query", "Enter")
        page.wait_for_function("document.querySelector('#evidence-title').textContent.includes('direct payment')",
                               timeout=30_000)
        assert page.locator("#evidence tr[data-sentence-id]").count() > 0
        page.screenshot(path=str(shots / "app-query.png"), full_page=False)
        assert not p.errors, p.errors
        assert not p.remote, p.remote
    finally:
        p.close()
        server.shutdown()
        server.server_close()


STUDY_POINT_JS = """
(sel) => {
  const gd = document.querySelector(sel);
  const fl = gd._fullLayout;
  for (const t of gd._fullData) {
    if (!t.meta || t.meta.role !== 'points') continue;
    for (let j = 0; j < t.x.length; j++) {
      if (t.x[j] === null || t.y[j] === null || Number.isNaN(t.y[j])) continue;
      const r = gd.getBoundingClientRect();
      return {x: r.left + fl.xaxis._offset + fl.xaxis.l2p(t.x[j]), y: r.top + fl.yaxis._offset + fl.yaxis.l2p(t.y[j])};
    }
  }
  return null;
}
"""


def test_study_page_renders_offline_and_points_name_their_documents(browser, tmp_path, shots):
    from test_study import seeds_only_spec

    from policyscope.study import StudyOptions, run_study
    res = run_study(StudyOptions(out=tmp_path / "study", spec=seeds_only_spec(tmp_path), images=False))
    p = Page(browser)
    page = p.page
    page.goto(res.files["html"].as_uri())
    page.wait_for_function("document.querySelectorAll('.plotly-graph-div .main-svg').length >= 5", timeout=30_000)
    assert page.locator(".plotly-graph-div").count() == 5
    assert "cannot say" in page.locator(".verdict").text_content()
    assert non_blank(page.locator("#fig-shares").screenshot()) > 10
    page.screenshot(path=str(shots / "study.png"), full_page=True)
    page.locator("#fig-shares").scroll_into_view_if_needed()
    pt = page.evaluate(STUDY_POINT_JS, "#fig-shares")
    assert pt, "no point drawn in the shares figure"
    page.mouse.move(pt["x"], pt["y"])
    page.wait_for_selector("#fig-shares .hoverlayer .hovertext", timeout=10_000)
    hover = page.locator("#fig-shares .hoverlayer .hovertext").first.text_content()
    assert "documents" in hover and "most concept sentences" in hover
    assert not p.errors and not p.remote and not p.dialogs
    p.close()

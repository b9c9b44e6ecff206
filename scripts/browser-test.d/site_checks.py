"""The browser half of scripts/browser-test: headless Chromium (Debian's
package, driven by Debian's chromedriver through Selenium) loads each page
type, runs axe-core on it, takes a screenshot, and drives the forms
(site_forms.py). Selenium Manager is never run: the driver and the browser
are given by path, and a call to it fails the run."""

import base64
import os
import shutil
import urllib.parse
from dataclasses import dataclass
from typing import Callable

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common import selenium_manager

import crawl
import site_forms

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TYPES = ["start", "agenda", "zoeken", "opgave", "actie", "indicator", "fout"]
CRAWLED_TYPES = ["start", "agenda", "opgave", "actie", "indicator"]  # reachable by links from /
AXE_PER_TYPE = 3


def _no_selenium_manager(*_a, **_kw):
    raise RuntimeError("Selenium Manager was called: the test must not fetch a browser or a driver")


selenium_manager.SeleniumManager.binary_paths = _no_selenium_manager


@dataclass
class Context:
    base: str
    root: str
    axe_js: str
    chromium: str
    chromedriver: str
    twenterand: dict   # the demo agenda as GET /v1/agendas lists it
    gedeeld: dict      # the shared nota (three gemeenten)
    api: Callable      # path -> JSON of an anonymous GET of the API


def driver(ctx, javascript=True):
    o = webdriver.ChromeOptions()
    o.binary_location = ctx.chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--lang=nl-NL", "--no-first-run", "--disable-extensions",
                "--hide-scrollbars", "--force-device-scale-factor=1"):
        o.add_argument(arg)
    prefs = {"intl.accept_languages": "nl-NL,nl"}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    o.add_experimental_option("prefs", prefs)
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service(executable_path=ctx.chromedriver), options=o)
    d.set_page_load_timeout(30)
    d.set_script_timeout(60)
    return d


class Browser:
    def __init__(self, ctx, failures):
        self.ctx, self.failures = ctx, failures
        self.d = driver(ctx)
        with open(ctx.axe_js) as f:
            self.axe_source = f.read()
        self.notes = set()
        self.axe = {t: {"pages": 0, "passes": [], "violations": 0} for t in TYPES}
        self.shots = os.path.join(ctx.root, "target", "site-screenshots")
        shutil.rmtree(self.shots, ignore_errors=True)  # no picture of an earlier run stays behind
        os.makedirs(self.shots)

    def fail(self, msg):
        self.failures.append(msg)

    def open(self, url, expect=None):
        """Loads a page; it must render as page type `expect` (body[data-pagina])."""
        self.d.get(url)
        pagina = self.d.find_element("tag name", "body").get_attribute("data-pagina")
        if expect and pagina != expect:
            self.fail(f"{url} renders as page type {pagina!r}, expected {expect!r}")
        self.console(url, error_page=expect == "fout")
        return pagina

    def console(self, url, error_page=False):
        """Every message the browser logged: CSP refusals and errors fail (an error page's own status aside)."""
        for entry in self.d.get_log("browser"):
            msg = entry.get("message", "")
            source, _, text = msg.partition(" - ")
            if (error_page and urllib.parse.unquote(source) == urllib.parse.unquote(url)
                    and text.startswith("Failed to load resource: the server responded with a status")):
                continue  # the error page's own status
            if "/favicon.ico - Failed to load resource" in msg:
                self.notes.add("the browser asks for /favicon.ico (no page links it), which answers 404")
                continue
            if "Content Security Policy" in msg or "Refused to" in msg or entry.get("level") == "SEVERE":
                self.fail(f"{url}: browser console: {msg}")

    def run_axe(self, url, pagina):
        self.d.execute_script(self.axe_source)
        r = self.d.execute_async_script("""
            const done = arguments[arguments.length - 1];
            axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})
              .then(r => done({passes: r.passes.map(p => p.id), incomplete: r.incomplete.map(p => p.id),
                violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                  nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html, summary: n.failureSummary}))}))}))
              .catch(e => done({error: String(e)}));""", TAGS)
        if "error" in r:
            self.fail(f"{url}: axe.run failed: {r['error']}")
            return
        s = self.axe.setdefault(pagina, {"pages": 0, "passes": [], "violations": 0})
        s["pages"] += 1
        s["passes"].append(len(r["passes"]))
        s["violations"] += len(r["violations"])
        for v in r["violations"]:
            lines = [f"axe: {url} ({pagina}): {v['id']} [{v['impact']}] {v['help']} ({v['helpUrl']})"]
            for n in v["nodes"][:5]:
                lines.append(f"      at {n['target']}: {n['html'][:160]}")
                lines += [f"        {line}" for line in (n["summary"] or "").splitlines()]
            if len(v["nodes"]) > 5:
                lines.append(f"      ... and {len(v['nodes']) - 5} more elements")
            self.fail("\n".join(lines))

    def check_page(self, url, pagina, screenshot):
        got = self.open(url, expect=pagina)
        self.run_axe(url, got or pagina)
        if screenshot:
            self.screenshot(pagina)

    def screenshot(self, name):
        height = self.d.execute_script("return Math.min(document.documentElement.scrollHeight, 4000)")
        shot = self.d.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": 1280, "height": height, "scale": 1}})
        path = os.path.join(self.shots, f"{name}.png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        return path

    def quit(self):
        self.d.quit()


def seeds(ctx):
    """Pages the crawl cannot reach by a link: a search result and the error pages, with their status."""
    tw, nota = ctx.twenterand["id"], ctx.gedeeld["id"]
    return [
        ("zoeken", f"/agendas/{tw}/acties?zoek=minimapas", 200),
        ("zoeken", f"/agendas/{nota}/acties?zoek=beweegcoach&gemeente=Beekdal", 200),
        ("zoeken", f"/agendas/{tw}/acties?zoek=zoekwoordzonderuitkomst", 200),
        ("fout", "/agendas/00000000-0000-0000-0000-000000000000", 404),
        ("fout", f"/opgaven/{{{tw.upper()}}}", 404),  # an agenda id under another page type and spelling
        ("fout", f"/agendas/{tw}?peildatum=2024-02-30", 400),
    ]


def run(ctx, res):
    failures = list(res.failures)
    reached = {t for t in res.pages.values()}
    for t in CRAWLED_TYPES:
        if t not in reached:
            failures.append(f"the crawl from / reached no page of type {t!r}")
    pages = {t: res.of_type(t)[:AXE_PER_TYPE] for t in CRAWLED_TYPES}
    statuses = {t: {200} for t in reached}
    for t, path, status in seeds(ctx):
        got, _, _ = crawl.get(ctx.base + path)
        statuses.setdefault(t, set()).add(got)
        if got != status:
            failures.append(f"GET {path} answered {got}, expected {status}")
        pages.setdefault(t, []).append(ctx.base + path)
    for t in {t for t in res.pages.values()} - set(pages):
        pages[t] = res.of_type(t)[:AXE_PER_TYPE]  # a page type this script does not know yet

    b = Browser(ctx, failures)
    try:
        for t, urls in pages.items():
            for i, url in enumerate(urls):
                site_forms.guarded(lambda: b.check_page(url, t, screenshot=(i == 0)), url, failures)
        forms = site_forms.Forms(ctx, b)
        outcomes = forms.run_all()
    finally:
        b.quit()
    nojs = site_forms.without_javascript(ctx, failures, driver(ctx, javascript=False))
    summary(ctx, res, b, outcomes + [nojs], statuses)
    return failures


def summary(ctx, res, b, outcomes, statuses):
    by_type = {}
    for t in res.pages.values():
        by_type[t] = by_type.get(t, 0) + 1
    broken = sum(1 for s in res.checked.values() if s != 200)
    print(f"\ncrawl from /: {len(res.pages)} pages parsed ({', '.join(f'{t} {n}' for t, n in by_type.items())}), "
          f"{len(res.checked)} internal links checked, {broken} broken, {len(res.external)} external links not followed"
          + (" (capped)" if res.capped else ""))
    print("plain GET per page type: " + ", ".join(f"{t} {'/'.join(map(str, sorted(statuses.get(t, []))))}"
                                                for t in TYPES if t in statuses))
    print(f"axe-core ({', '.join(TAGS)}), per page type:")
    print(f"  {'type':<10} {'pages':>5} {'rules passed':>13} {'violations':>10}")
    for t, s in b.axe.items():
        passed = (f"{min(s['passes'])}" if min(s["passes"]) == max(s["passes"])
                  else f"{min(s['passes'])}-{max(s['passes'])}") if s["passes"] else "-"
        print(f"  {t:<10} {s['pages']:>5} {passed:>13} {s['violations']:>10}")
    for o in outcomes:
        print(f"  {o}")
    for note in sorted(b.notes):
        print(f"  note: {note}")
    print(f"screenshots: {os.path.relpath(b.shots, ctx.root)}/ ({', '.join(sorted(os.listdir(b.shots)))})")


def query(url):
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)

"""What a visitor does on the site, in the browser: "zoals op" (time travel),
search, the gemeente filter of a shared nota, the keyboard (skip link), print
(PDF and print media), and the same pages with JavaScript switched off."""

import base64
import datetime
import os
import re
import urllib.parse
import zoneinfo

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

MAANDEN = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december"]
SEARCH_WORD, SEARCH_KENMERK = "minimapas", "1.1.2-1"   # in the demo: actie 1.1.2-1 "... een minimapas ..."
GEMEENTE, ITS_ACTIE = "Beekdal", "Beweegcoach op elke basisschool in Beekdal"
OTHER_ACTIE = "Buitenspeeldag in alle kernen van Heuvelrand en Veenmond"   # Heuvelrand and Veenmond only


def today():
    """The peildatum of today: the server records now, and peildatum is a date in Europe/Amsterdam."""
    return datetime.datetime.now(zoneinfo.ZoneInfo("Europe/Amsterdam")).date()


def in_words(d):
    return f"{d.day} {MAANDEN[d.month - 1]} {d.year}"


def params(url):
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)


def submit_button(form):
    return form.find_element("css selector", "button:not([type]), button[type=submit], input[type=submit]")


def wait_for(d, cond, what, failures, secs=10):
    try:
        WebDriverWait(d, secs).until(lambda _: cond())
        return True
    except TimeoutException:
        failures.append(f"{what} (now at {d.current_url})")
        return False


def type_date(d, url, day):
    """Loads `url` and types `day` into #peildatum as a visitor does. The order of the date field's
    parts follows the browser's locale (headless Chromium keeps en-US whatever --lang says), so
    month-day-year is tried, and day-month-year on a fresh load when that did not give the date."""
    for order in ("%m%d%Y", "%d%m%Y"):
        d.get(url)
        field = d.find_element("id", "peildatum")
        field.send_keys(day.strftime(order))   # without a click: the caret starts in the first part
        if field.get_attribute("value") == day.isoformat():
            return True
    return False


def time_travel(d, url, failures, label):
    """Types today's date into #peildatum, submits with "Toon"; the URL and the banner must say it."""
    day = today()
    if not type_date(d, url, day):
        failures.append(f"{label}: typing {day:%d-%m-%Y} into #peildatum did not set the date "
                        f"(value {d.find_element('id', 'peildatum').get_attribute('value')!r})")
        return False
    button = submit_button(d.find_element("css selector", "form.zoals-op"))
    if "Toon" not in button.text + (button.get_attribute("value") or ""):
        failures.append(f"{label}: the time-travel form's button says {button.text!r}, expected 'Toon'")
    button.click()
    if not wait_for(d, lambda: params(d.current_url).get("peildatum") == [day.isoformat()],
                    f"{label}: after 'Toon' the URL has no peildatum={day.isoformat()}", failures):
        return False
    banner = d.find_elements("id", "zoals-op-banner")
    text = banner[0].text if banner else ""
    if not banner or in_words(day) not in text or banner[0].get_attribute("role") != "status":
        failures.append(f"{label}: #zoals-op-banner (role=status) should say {in_words(day)!r}; it says {text!r}")
        return False
    return True


def short(e):
    return f"{type(e).__name__}: {(getattr(e, 'msg', None) or str(e)).splitlines()[0] if str(e) else ''}"


def guarded(check, name, failures):
    """Runs one check; an exception (a missing element, say) is a failure of that check, not a crash."""
    try:
        return check()
    except Exception as e:  # noqa: BLE001
        failures.append(f"{name}: {short(e)}")


class Forms:
    def __init__(self, ctx, browser):
        self.ctx, self.b, self.d = ctx, browser, browser.d
        self.failures = browser.failures
        self.agenda = f"{ctx.base}/agendas/{ctx.twenterand['id']}"

    def run_all(self):
        out = []
        for name, check in (("zoals op (time travel)", self.time_travel), ("search", self.search),
                            ("gemeente filter", self.gemeente), ("keyboard: skip link first", self.keyboard),
                            ("print", self.print)):
            before = len(self.failures)
            note = guarded(check, name, self.failures) or ""
            ok = len(self.failures) == before
            out.append(f"{name}: {'OK' + note if ok else 'FAIL'}")
        return out

    def time_travel(self):
        if not time_travel(self.d, self.agenda, self.failures, "zoals op"):
            return
        self.b.run_axe(self.d.current_url, "agenda")
        self.b.screenshot("agenda-zoals-op")
        day = today().isoformat()
        links = [a.get_attribute("href") for a in self.d.find_elements("css selector", "main a[href*='/opgaven/']")]
        lost = [h for h in links if params(h).get("peildatum") != [day]]
        if not links or lost:
            self.failures.append(f"zoals op: links to opgaven must keep peildatum={day}: {lost[:3] or 'no links'}")
        return f" ({in_words(today())}, {len(links)} opgave links keep the peildatum)"

    def search(self):
        self.d.get(self.agenda)
        form = self.d.find_element("css selector", "form[role=search]")
        label = self.d.find_element("css selector", "label[for=zoek]").text
        self.d.find_element("id", "zoek").send_keys(SEARCH_WORD)
        submit_button(form).click()
        if not wait_for(self.d, lambda: params(self.d.current_url).get("zoek") == [SEARCH_WORD],
                        "search: the URL has no zoek=", self.failures):
            return
        body = self.d.find_element("tag name", "body")
        main = self.d.find_element("tag name", "main").text
        if body.get_attribute("data-pagina") != "zoeken" or SEARCH_KENMERK not in main or SEARCH_WORD not in main:
            self.failures.append(f"search for {SEARCH_WORD!r} ({label!r}): expected actie {SEARCH_KENMERK} in the "
                                 f"results; the page says: {main[:400]!r}")
        return f" ({SEARCH_WORD!r} finds actie {SEARCH_KENMERK})"

    def gemeente(self):
        nota = self.ctx.gedeeld["id"]
        acties = self.ctx.api(f"/v1/agendas/{nota}/acties?pageSize=500")["resultaten"]
        opgave = next(a["opgaveId"] for a in acties if a["omschrijving"] == ITS_ACTIE)
        self.d.get(f"{self.ctx.base}/opgaven/{opgave}")
        plain = self.d.find_element("tag name", "main").text
        if ITS_ACTIE not in plain or OTHER_ACTIE not in plain:
            self.failures.append(f"gemeente filter: the unfiltered opgave page should show both acties: {plain[:300]!r}")
        self.d.get(f"{self.ctx.base}/agendas/{nota}")
        select = self.d.find_element("id", "gemeente")
        Select(select).select_by_visible_text(GEMEENTE)
        submit_button(select.find_element("xpath", "ancestor::form")).click()
        if not wait_for(self.d, lambda: params(self.d.current_url).get("gemeente") == [GEMEENTE],
                        f"gemeente filter: the URL has no gemeente={GEMEENTE}", self.failures):
            return
        self.b.run_axe(self.d.current_url, "agenda")
        self.b.screenshot("agenda-gemeente")
        chosen = Select(self.d.find_element("id", "gemeente")).first_selected_option.text
        if chosen != GEMEENTE:
            self.failures.append(f"gemeente filter: the select shows {chosen!r} after filtering on {GEMEENTE}")
        link = self.d.find_elements("css selector", f"main a[href*='/opgaven/{opgave}']")
        if not link or params(link[0].get_attribute("href")).get("gemeente") != [GEMEENTE]:
            self.failures.append(f"gemeente filter: the link to opgave {opgave} should keep gemeente={GEMEENTE}")
            return
        link[0].click()
        main = self.d.find_element("tag name", "main").text
        if ITS_ACTIE not in main or OTHER_ACTIE in main:
            self.failures.append(f"gemeente filter: opgave page for {GEMEENTE} should show {ITS_ACTIE!r} and not "
                                 f"{OTHER_ACTIE!r}: {main[:400]!r}")
        return f" ({GEMEENTE}: its actie shown, Heuvelrand/Veenmond's hidden)"

    def keyboard(self):
        self.d.get(self.ctx.base + "/")
        ActionChains(self.d).send_keys(Keys.TAB).perform()
        a = self.d.switch_to.active_element
        cls, href = a.get_attribute("class") or "", a.get_attribute("href") or ""
        if "skiplink" not in cls.split() or not href.endswith("#inhoud") or a.text.strip() != "Naar de inhoud":
            self.failures.append(f"keyboard: the first Tab focuses {a.tag_name}.{cls} {href!r} {a.text!r}, "
                                 "expected the skip link 'Naar de inhoud'")
            return
        r = a.rect
        if r["width"] < 2 or r["height"] < 2 or r["y"] < 0 or r["x"] < 0:
            self.failures.append(f"keyboard: the focused skip link is not visible (rect {r})")
        outline = self.d.execute_script(
            "const s = getComputedStyle(arguments[0]); return [s.outlineStyle, s.outlineWidth, s.boxShadow]", a)
        if outline[0] == "none" and outline[2] == "none":
            self.failures.append(f"keyboard: the focused skip link has no visible focus style ({outline})")
        ActionChains(self.d).send_keys(Keys.ENTER).perform()
        if not self.d.current_url.endswith("#inhoud"):
            self.failures.append(f"keyboard: Enter on the skip link leads to {self.d.current_url}")

    def print(self):
        self.d.get(self.agenda)
        pdf = base64.b64decode(self.d.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})["data"])
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        path = os.path.join(self.b.shots, "agenda-print.pdf")
        with open(path, "wb") as f:
            f.write(pdf)
        if not pdf.startswith(b"%PDF") or pages < 1:
            self.failures.append(f"print: Page.printToPDF gave no PDF ({len(pdf)} bytes)")
        self.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        try:
            shown = [n.get_attribute("aria-label") or n.tag_name for n in self.d.find_elements("css selector", "nav, form.zoals-op, .skiplink")
                     if n.is_displayed()]
            if shown:
                self.failures.append(f"print: navigation and forms should be hidden in print, shown: {shown}")
            if not self.d.find_element("tag name", "main").is_displayed():
                self.failures.append("print: <main> is hidden in print")
            link = self.d.find_element("css selector", "main a[href]:not([href^='#'])")
            after = self.d.execute_script("return getComputedStyle(arguments[0], '::after').content", link)
            if link.get_attribute("href").split("/", 3)[-1].split("?")[0] not in after:
                self.failures.append(f"print: links should be written out; {link.get_attribute('href')} prints "
                                     f"::after {after!r}")
        finally:
            self.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        return f" (PDF of {pages} page(s), {len(pdf) // 1024} KiB; print media: navigation hidden, links written out)"


def without_javascript(ctx, failures, d):
    """A second browser with JavaScript switched off: a page's script does not run there, and an agenda
    page loads and its time-travel form works."""
    before = len(failures)
    try:
        d.get("data:text/html,<title>x</title><script>document.title='js'</script>")
        if d.title == "js":
            failures.append("without JavaScript: the second browser still runs scripts")
        url = f"{ctx.base}/agendas/{ctx.twenterand['id']}"
        d.get(url)
        if d.find_element("tag name", "body").get_attribute("data-pagina") != "agenda":
            failures.append(f"without JavaScript: {url} does not render as an agenda page")
        time_travel(d, url, failures, "without JavaScript")
    except Exception as e:  # noqa: BLE001 (a missing element is a failure of the page, reported as one)
        failures.append(f"without JavaScript: {short(e)}")
    finally:
        d.quit()
    return f"without JavaScript: {'OK' if len(failures) == before else 'FAIL'} (agenda page and its time-travel form)"

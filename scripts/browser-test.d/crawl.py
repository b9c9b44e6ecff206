"""A crawl of the site from / with plain HTTP GETs (no browser): every internal
link is fetched once (same origin, without its fragment, de-duplicated) and
must answer 200; HTML pages of the site (they name their type in
body[data-pagina]) are parsed for more links, up to MAX_PAGES of them. Also
checks each page's headers, that an in-page link (#id) has its target, and
that no page loads anything from another origin."""

import html.parser
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

MAX_PAGES = 400
MAX_LINKS = 2000
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **kw):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def get(url, headers=None):
    """(status, headers, body text) of a GET; redirects are not followed (a 3xx link is broken)."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with OPENER.open(req, timeout=30) as r:
            return r.status, r.headers, r.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode("utf-8", errors="replace")


class Page(html.parser.HTMLParser):
    """The links, resources, ids and page type of one HTML page."""

    def __init__(self):
        super().__init__()
        self.links, self.resources, self.ids = [], [], set()
        self.pagina = None
        self.h1 = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "body":
            self.pagina = a.get("data-pagina")
        elif tag == "h1":
            self.h1 += 1
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "link" and a.get("href"):
            self.resources.append(a["href"])
        elif tag in ("img", "script", "iframe", "source") and a.get("src"):
            self.resources.append(a["src"])


@dataclass
class Result:
    pages: dict = field(default_factory=dict)       # url -> page type (site HTML pages parsed)
    checked: dict = field(default_factory=dict)     # url -> status (every internal URL fetched)
    referrers: dict = field(default_factory=dict)   # url -> first page that linked it
    external: set = field(default_factory=set)
    failures: list = field(default_factory=list)
    capped: bool = False

    def of_type(self, pagina):
        return [u for u, t in self.pages.items() if t == pagina]


def crawl(base, start="/", max_pages=MAX_PAGES, keep=()):
    """Crawls from `start`. With `keep` (parameter names), only pages linked with all of them
    are read for more links; every other link found is still fetched for its status."""
    origin = urllib.parse.urlsplit(base)[:2]
    res = Result()
    queue = [base + start]
    res.referrers[queue[0]] = "(start)"
    seen = set(queue)
    follow = set(queue)  # with `keep`: only pages reached by links that keep those parameters are read
    while queue:
        url = queue.pop(0)
        if len(res.checked) >= MAX_LINKS:
            res.capped = True
            break
        status, headers, body = get(url)
        res.checked[url] = status
        if status != 200:
            res.failures.append(f"broken link: {url} answered {status} (linked from {res.referrers.get(url)})")
            continue
        ctype = headers.get("Content-Type", "")
        if not ctype.startswith("text/html") or "data-pagina=" not in body:
            continue
        if keep and url not in follow:
            continue
        if len(res.pages) >= max_pages:
            res.capped = True
            continue
        page = Page()
        page.feed(body)
        res.pages[url] = page.pagina
        check_page(res, url, headers, page)
        for href in page.links + page.resources:
            if href.startswith("#"):
                if href[1:] and href[1:] not in page.ids:
                    res.failures.append(f"{url}: in-page link {href} has no target (no id={href[1:]!r})")
                continue
            target, _ = urllib.parse.urldefrag(urllib.parse.urljoin(url, href))
            if urllib.parse.urlsplit(target)[:2] != origin:
                if href in page.resources:
                    res.failures.append(f"{url}: loads {href} from another origin")
                res.external.add(target)
                continue
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(target).query)
            if all(k in query for k in keep):
                follow.add(target)
            if target not in seen:
                seen.add(target)
                res.referrers[target] = url
                queue.append(target)
    return res


def check_page(res, url, headers, page):
    def fail(msg):
        res.failures.append(f"{url}: {msg}")

    if headers.get("Content-Type", "").replace(" ", "").lower() != "text/html;charset=utf-8":
        fail(f"Content-Type is {headers.get('Content-Type')!r}")
    csp = re.sub(r"\s+", " ", headers.get("Content-Security-Policy", "")).strip().rstrip(";")
    if csp != CSP:
        fail(f"Content-Security-Policy is {headers.get('Content-Security-Policy')!r}, expected {CSP!r}")
    if headers.get("X-Content-Type-Options") != "nosniff":
        fail("X-Content-Type-Options: nosniff is missing")
    if page.h1 != 1:
        fail(f"{page.h1} <h1> elements (one per page)")
    if not page.pagina:
        fail("no body[data-pagina]")

"""Drive the built course website in Chromium with no network but the site itself.

    from sitedriver import serve, offline_context, crawl

    with serve(site_dir) as base, sync_playwright() as pw:
        browser, context, guard = offline_context(pw, base, chromium)
        result = crawl(context, base, axe_js=Path("website/node_modules/axe-core/axe.min.js"))
        result.external        # every request to another host (aborted): must be []
        result.broken          # every internal link, resource or #anchor that does not resolve
        result.axe             # {(page, theme): [violation, ...]}

``serve`` runs a static HTTP server on 127.0.0.1 (a free port) in a thread.
``offline_context`` makes every other host unresolvable (Chromium's
``--host-resolver-rules``) and routes each request: one to the site goes on,
any other is aborted and counted in ``guard.external``.  ``crawl`` starts at
the home page and follows every internal link it finds, page after page:
each page must answer 200 and run without a JavaScript error, each link must
lead to a file of the site and each ``#fragment`` to an element of its page;
axe-core, injected from its npm file, runs on every page in the site's light
and dark themes.

Only the standard library and Playwright are needed.
"""
from __future__ import annotations

import contextlib
import functools
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-default-apps", "--disable-domain-reliability", "--no-pings"]
SERIOUS = ("serious", "critical")
THEMES = ("light", "dark")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(folder: str | Path):
    """Serve ``folder`` on http://127.0.0.1:<free port>/; yields the base URL (ending in /)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Guard:
    """Counts what the pages asked of other hosts (every such request is aborted)."""

    base: str
    external: list[tuple[str, str]] = field(default_factory=list)   # (page, url)
    local: int = 0

    def route(self, route) -> None:
        request = route.request
        if request.url.startswith(self.base):
            self.local += 1
            route.continue_()
            return
        try:
            page = request.frame.page.url
        except Exception:  # noqa: BLE001 - a service worker or a closed page
            page = "?"
        self.external.append((page, request.url))
        route.abort("internetdisconnected")


def offline_context(playwright, base: str, executable: str, viewport=(1366, 768)):
    """(browser, context, guard): Chromium where only ``base``'s host resolves and answers."""
    host = urlsplit(base).hostname
    browser = playwright.chromium.launch(
        executable_path=executable, headless=True,
        args=CHROMIUM_ARGS + [f"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE {host}"])
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                  service_workers="block")
    guard = Guard(base)
    context.route("**/*", guard.route)
    context.set_default_timeout(30_000)
    return browser, context, guard


@dataclass
class CrawlResult:
    pages: dict[str, int] = field(default_factory=dict)             # page path -> HTTP status
    files: dict[str, int] = field(default_factory=dict)             # other linked files -> HTTP status
    links: int = 0                                                   # internal links followed
    linked: set[str] = field(default_factory=set)                    # pages some link leads to
    broken: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)                  # JavaScript errors
    axe: dict[tuple[str, str], list[dict]] = field(default_factory=dict)

    def serious(self) -> list[str]:
        """One line per serious or critical axe violation: page, theme, rule, elements."""
        out = []
        for (page, theme), violations in sorted(self.axe.items()):
            for v in violations:
                if v["impact"] in SERIOUS:
                    targets = "; ".join(v["targets"][:4])
                    out.append(f"{page} [{theme}] {v['id']} ({v['impact']}, {len(v['targets'])} elements): "
                               f"{v['help']}: {targets}")
        return out

    def counts(self) -> dict[str, int]:
        """{impact: number of elements} over every page and theme."""
        out: dict[str, int] = {}
        for violations in self.axe.values():
            for v in violations:
                out[v["impact"]] = out.get(v["impact"], 0) + len(v["targets"])
        return out


_LINKS_JS = """() => [...document.querySelectorAll('a[href], area[href]')].map(a => a.href)"""
_IDS_JS = """() => [...document.querySelectorAll('[id], a[name]')].map(e => e.id || e.getAttribute('name'))"""
_AXE_JS = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n').slice(1, 2).join('').trim())}));
}"""
# The theme is switched as the site's own switch does (data-theme on <html>), with CSS transitions
# off so that axe measures the colours the page settles on, not a frame of the fade between them.
_THEME_JS = """(theme) => {
  if (!document.getElementById('sitedriver-no-transitions')) {
    const style = document.createElement('style');
    style.id = 'sitedriver-no-transitions';
    style.textContent = '*, *::before, *::after { transition: none !important; animation: none !important; }';
    document.head.appendChild(style);
  }
  document.documentElement.dataset.theme = theme;
  document.documentElement.dataset.mode = theme;
}"""


def run_axe(page, axe_js: Path) -> list[dict]:
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_js))
    return page.evaluate(_AXE_JS)


def site_pages(folder: str | Path) -> list[str]:
    """Every HTML page of a built site (not the themes' files under _static/ or the sources under _sources/)."""
    folder = Path(folder)
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html")
                  if not p.relative_to(folder).parts[0].startswith("_"))


def crawl(context, base: str, axe_js: Path | None = None, start: str = "index.html", also=(),
          themes=THEMES, on_page=None) -> CrawlResult:
    """Visit ``start``, the pages in ``also`` and every page reachable from them by internal links;
    check links, anchors and (with ``axe_js``) accessibility in each theme."""
    result = CrawlResult()
    queue = [start] + [p for p in also if p != start]
    seen = set(queue)
    anchors: list[tuple[str, str, str]] = []   # (from page, target page, fragment)
    ids: dict[str, set[str]] = {}
    page = context.new_page()
    page.on("pageerror", lambda exc: result.errors.append(f"{page.url}: {exc}"))
    responses: dict[str, int] = {}
    page.on("response", lambda r: responses.__setitem__(r.url, r.status) if r.url.startswith(base) else None)
    while queue:
        path = queue.pop(0)
        url = base + path
        response = page.goto(url, wait_until="load")
        status = response.status if response is not None else 0
        result.pages[path] = status
        if status != 200:
            result.broken.append(f"{path}: HTTP {status}")
            continue
        for res_url, res_status in list(responses.items()):
            if res_status >= 400:
                result.broken.append(f"{path}: loads {res_url[len(base):]}: HTTP {res_status}")
        responses.clear()
        ids[path] = set(page.evaluate(_IDS_JS))
        for href in page.evaluate(_LINKS_JS):
            if not href.startswith(base):
                continue
            result.links += 1
            target, frag = urldefrag(href)
            target = unquote(target[len(base):].split("?")[0]) or "index.html"
            if target.endswith("/"):
                target += "index.html"
            result.linked.add(target)
            if frag:
                anchors.append((path, target, unquote(frag)))
            if target in seen:
                continue
            seen.add(target)
            if target.endswith(".html"):
                queue.append(target)
            else:
                result.files[target] = context.request.get(base + target).status
                if result.files[target] != 200:
                    result.broken.append(f"{path}: link to {target}: HTTP {result.files[target]}")
        if on_page is not None:
            on_page(page, path)
        if axe_js is not None:
            for theme in themes:
                page.evaluate(_THEME_JS, theme)
                page.wait_for_timeout(100)
                result.axe[(path, theme)] = run_axe(page, axe_js)
    for source, target, frag in anchors:
        if target in ids and frag not in ids[target]:
            result.broken.append(f"{source}: link to {target}#{frag}: no element with that id")
    page.close()
    return result

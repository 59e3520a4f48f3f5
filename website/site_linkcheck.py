"""Check a built static site: internal links and anchors resolve, nothing is loaded from another host.

    python website/site_linkcheck.py _site        # prints each problem; exit 1 if there is any

For every HTML page of the folder:

- every link (``<a href>``) to a file of the site names a file that exists, and
  its ``#fragment`` an element id (or ``<a name>``) of that page; links to other
  hosts are allowed (a reader may follow them) but not checked (no network);
- everything a browser loads by itself (scripts, style sheets, images, fonts,
  frames, ``url(...)`` in style sheets and ``style`` attributes) comes from the
  site: an address on another host, or protocol-relative (``//host/...``), is a
  problem, and so is a local one that does not exist.

Only the standard library is used (``html.parser``), so the check can run
wherever the site is built.
"""
from __future__ import annotations

import posixpath
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# <link rel=...> values a browser fetches by itself
LOADED_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "prefetch", "modulepreload",
               "manifest", "mask-icon", "dns-prefetch", "preconnect"}
RESOURCE_ATTRS = {"script": ["src"], "img": ["src", "srcset"], "iframe": ["src"], "source": ["src", "srcset"],
                  "video": ["src", "poster"], "audio": ["src"], "embed": ["src"], "object": ["data"],
                  "track": ["src"], "image": ["href", "xlink:href"], "use": ["href", "xlink:href"]}
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""")
SKIP_SCHEMES = {"mailto", "tel", "javascript", "data", "blob", "about"}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[int, str]] = []        # (line, href) of <a>/<area>
        self.resources: list[tuple[int, str, str]] = []  # (line, what, url)
        self.base: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        line = self.getpos()[0]
        for key in ("id",):
            if a.get(key):
                self.ids.add(a[key])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        if tag == "base" and a.get("href"):
            self.base = a["href"]
        if tag in ("a", "area") and "href" in a:
            self.links.append((line, a["href"]))
        if tag == "link" and a.get("href"):
            rels = set(a.get("rel", "").lower().split())
            if rels & LOADED_RELS:
                self.resources.append((line, f"<link rel={a.get('rel')}>", a["href"]))
        for attr in RESOURCE_ATTRS.get(tag, []):
            value = a.get(attr)
            if not value:
                continue
            urls = [part.strip().split()[0] for part in value.split(",") if part.strip()] if attr == "srcset" \
                else [value]
            for url in urls:
                self.resources.append((line, f"<{tag} {attr}>", url))
        if a.get("style"):
            for url in css_urls(a["style"]):
                self.resources.append((line, f"<{tag} style>", url))


def css_urls(text: str) -> list[str]:
    return [m.group(2) if m.group(2) is not None else m.group(4) for m in CSS_URL.finditer(text)]


def is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.netloc) or parts.scheme in ("http", "https", "ws", "wss", "ftp")


def _local_target(site: Path, page: Path, url: str) -> tuple[Path | None, str]:
    """(file the URL names inside the site, fragment); (None, "") for URLs that name no file."""
    parts = urlsplit(url)
    if parts.scheme in SKIP_SCHEMES:
        return None, ""
    if not parts.path:
        return page, unquote(parts.fragment)
    if parts.path.startswith("/"):
        target = site / unquote(parts.path).lstrip("/")
    else:
        target = page.parent / unquote(parts.path)
    target = Path(posixpath.normpath(target.as_posix()))
    if target.is_dir():
        target = target / "index.html"
    return target, unquote(parts.fragment)


def check_site(site: str | Path) -> list[str]:
    """Every problem of the site in ``site`` (a folder of HTML), as ``page:line: what``."""
    site = Path(site).resolve()
    pages = {p: None for p in sorted(site.rglob("*.html"))}
    parsed: dict[Path, _Page] = {}

    def parse(path: Path) -> _Page:
        if path not in parsed:
            p = _Page()
            p.feed(path.read_text(encoding="utf-8", errors="replace"))
            parsed[path] = p
        return parsed[path]

    problems = []
    if not pages:
        return [f"{site}: no HTML pages"]
    for page in pages:
        rel = page.relative_to(site).as_posix()
        doc = parse(page)
        for line, what, url in doc.resources:
            if is_external(url):
                problems.append(f"{rel}:{line}: {what} loads {url} from another host")
                continue
            target, _frag = _local_target(site, page, url)
            if target is not None and not target.exists():
                problems.append(f"{rel}:{line}: {what} {url} does not exist")
        for line, href in doc.links:
            if not href or is_external(href):
                continue
            target, frag = _local_target(site, page, href)
            if target is None:
                continue
            try:
                target.relative_to(site)
            except ValueError:
                problems.append(f"{rel}:{line}: link {href} leads outside the site")
                continue
            if not target.exists():
                problems.append(f"{rel}:{line}: link {href}: {target.relative_to(site).as_posix()} does not exist")
                continue
            if frag and target.suffix == ".html" and frag not in parse(target).ids:
                problems.append(f"{rel}:{line}: link {href}: no element with id {frag!r} in "
                                f"{target.relative_to(site).as_posix()}")
    for css in sorted(site.rglob("*.css")):
        rel = css.relative_to(site).as_posix()
        text = css.read_text(encoding="utf-8", errors="replace")
        for url in css_urls(text):
            if not url or url.startswith(("data:", "#")):
                continue
            if is_external(url):
                problems.append(f"{rel}: url({url}) loads from another host")
                continue
            target, _frag = _local_target(site, css, url)
            if target is not None and not target.exists():
                problems.append(f"{rel}: url({url}) does not exist")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    problems = check_site(argv[0])
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

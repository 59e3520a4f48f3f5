"""Sphinx extension of the course website (loaded by the book website/build_site.py stages).

Adds to the launch menu (the rocket) of every lesson page, next to Binder, a
button that opens the lesson on a JupyterHub when ``course_hub_url`` is set:
the nbgitpuller link of ``python -m iliopsoas hub-link`` (each student gets
their own copy of the course in their home folder and the lesson opens in
JupyterLab).  Also: no download or full-screen button, and none of Jupyter
Book's sphinx-thebe assets (no live code here; one of its inline scripts is
added twice and throws on every page).
"""
from __future__ import annotations

from urllib.parse import quote, urlencode

HUB_FOLDER = "iliopsoas-course"


def hub_url_for(hub: str, repository: str, branch: str, slug: str) -> str:
    """The nbgitpuller link that opens lesson ``slug`` on ``hub``.

    The course's own ``iliopsoas.hub.hub_link`` makes it when the package has
    it; the same link is built here otherwise (nbgitpuller's parameters: repo,
    branch, targetpath, urlpath).
    """
    try:
        from iliopsoas.hub import hub_link
    except ImportError:
        hub_link = None
    if hub_link is not None:
        return hub_link(hub, notebook=slug, branch=branch, repo=repository).url
    base = hub.strip().rstrip("/")
    if base.endswith("/hub"):
        base = base[: -len("/hub")]
    query = urlencode([("repo", repository), ("branch", branch), ("targetpath", HUB_FOLDER),
                       ("urlpath", f"lab/tree/{HUB_FOLDER}/notebooks/{slug}.ipynb")], quote_via=quote, safe="")
    return f"{base}/hub/user-redirect/git-pull?{query}"


def add_hub_button(app, pagename, templatename, context, doctree) -> None:
    hub = (app.config.course_hub_url or "").strip()
    if not hub or not pagename.startswith("notebooks/"):
        return
    slug = pagename.split("/", 1)[1]
    url = hub_url_for(hub, app.config.course_repository, app.config.course_branch, slug)
    button = {"type": "link", "text": "JupyterHub", "tooltip": "Open this lesson on your class's JupyterHub",
              "icon": "_static/images/logo_jupyterhub.svg", "url": url, "label": "launch-jupyterhub"}
    for group in context.get("header_buttons", []):
        if group.get("label") == "launch-buttons":
            group["buttons"].append(button)
            return


def theme_options(app, config) -> None:
    """No download button (the staged sources differ from the repository's) and no full-screen button."""
    options = dict(config.html_theme_options or {})
    options.update(use_download_button=False, use_fullscreen_button=False)
    config.html_theme_options = options


def _is_thebe(asset) -> bool:
    name = str(getattr(asset, "filename", asset) or "")
    body = str((getattr(asset, "attributes", None) or {}).get("body", ""))
    return "thebe" in name or "THEBE_JS_URL" in body


def drop_thebe_assets(app, pagename, templatename, context, doctree) -> None:
    """No live code on this site (launch buttons open Jupyter instead): Jupyter Book's sphinx-thebe
    assets go, among them an inline script that it adds twice, a JavaScript error on every page."""
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if not _is_thebe(asset)]


def drop_thebe_config(app, doctree, docname) -> None:
    """The per-page thebe configuration block sphinx-thebe inserts (it names an example Binder repo)."""
    from docutils import nodes

    for node in list(doctree.findall(nodes.raw)):
        if "x-thebe-config" in node.astext():
            node.parent.remove(node)


def setup(app):
    app.add_config_value("course_hub_url", "", "html")
    app.add_config_value("course_repository", "", "html")
    app.add_config_value("course_branch", "main", "html")
    app.connect("config-inited", theme_options)
    app.connect("doctree-resolved", drop_thebe_config, priority=900)
    app.connect("html-page-context", drop_thebe_assets, priority=900)
    # after sphinx-book-theme's launch buttons (priority 501)
    app.connect("html-page-context", add_hub_button, priority=502)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

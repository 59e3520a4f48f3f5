"""Links that put the course into each student's home on a JupyterHub (nbgitpuller).

An nbgitpuller link sends a student, through the hub, to their own server,
which clones the course's git repository into a folder of their home (or, on
later clicks, merges the instructor's new commits into it, keeping the
student's own changes) and then opens a notebook in JupyterLab::

    https://hub.example.edu/hub/user-redirect/git-pull?repo=...&branch=main
        &targetpath=iliopsoas-course&urlpath=lab/tree/iliopsoas-course/notebooks/01-anatomy.ipynb

The parameters are nbgitpuller's (https://nbgitpuller.readthedocs.io):
``repo`` (a URL the hub's servers can clone), ``branch``, ``targetpath`` (the
folder in the student's home) and ``urlpath`` (what the browser opens after
the pull).  Used by ``python -m iliopsoas hub-link``.
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

#: The folder each student's copy goes into, inside their home.
DEFAULT_FOLDER = "iliopsoas-course"
DEFAULT_BRANCH = "main"
DEFAULT_NOTEBOOK = "00-start-here"


class HubLinkError(ValueError):
    """Why no link can be made: a sentence for the instructor."""


@dataclass(frozen=True)
class HubLink:
    """The pieces of an nbgitpuller link and the link itself (``url``)."""

    hub: str
    repo: str
    branch: str
    folder: str
    notebook: str
    url: str

    @property
    def notebook_path(self) -> str:
        """The notebook's path relative to the student's home, as JupyterLab names it."""
        return f"{self.folder}/notebooks/{self.notebook}.ipynb"


def known_notebooks(root: Path) -> list[str]:
    """Slugs of the notebooks of the course at ``root`` (``notebooks/NN-slug.ipynb``), in course order."""
    return sorted(p.stem for p in (Path(root) / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def normalize_hub(hub: str) -> str:
    """The hub's base URL without a trailing ``/`` or ``/hub``; raises HubLinkError if it is not http(s)."""
    text = (hub or "").strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise HubLinkError(f"--hub must be the hub's address, like https://hub.example.edu (got {hub!r})")
    if parts.query or parts.fragment:
        raise HubLinkError(f"--hub must be the hub's address without '?' or '#' parts (got {hub!r})")
    path = parts.path.rstrip("/")
    if path.endswith("/hub"):
        path = path[: -len("/hub")]
    return f"{parts.scheme}://{parts.netloc}{path}"


_SCP_LIKE = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>(?!/).+)$")


def clone_url(remote: str) -> str:
    """A URL a student's server can clone without keys: ``git@host:org/repo.git`` -> ``https://host/org/repo``.

    ``ssh://`` URLs are turned into ``https://`` the same way; ``https://``,
    ``http://`` and ``file://`` URLs are kept (``file://`` is for a hub that
    shares the machine's disk, as in the course's own hub test).  Credentials
    in a URL are refused: the link is shared with every student.
    """
    text = remote.strip()
    parts = urlsplit(text)
    if parts.scheme in ("http", "https", "file"):
        if parts.username or parts.password:
            raise HubLinkError("the repository URL contains a user name or password; students would all see "
                               "it. Give the public URL with --repo.")
        return text
    if parts.scheme == "ssh":
        path = parts.path.lstrip("/")
        return f"https://{parts.hostname}/{path.removesuffix('.git')}"
    m = _SCP_LIKE.match(text)
    if m and "/" in m.group("path"):
        return f"https://{m.group('host')}/{m.group('path').removesuffix('.git')}"
    if text.startswith("/"):
        return Path(text).as_uri()
    raise HubLinkError(f"cannot turn the git remote {remote!r} into a URL the hub can clone; give one with --repo")


def git_remote_url(root: Path) -> str:
    """The URL of the checkout's remote (the current branch's remote, else ``origin``, else the only one).

    Raises HubLinkError when ``root`` is not a git checkout or has no remote.
    """
    def git(*args) -> str | None:
        try:
            out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    if git("rev-parse", "--git-dir") is None:
        raise HubLinkError(f"{root} is not a git checkout, so the repository cannot be read from its remote; "
                           "give the repository's URL with --repo")
    remotes = (git("remote") or "").split()
    branch = git("symbolic-ref", "--quiet", "--short", "HEAD")
    tracked = git("config", f"branch.{branch}.remote") if branch else None
    for name in [tracked, "origin"] + (remotes if len(remotes) == 1 else []):
        if name and name in remotes:
            url = git("remote", "get-url", name)
            if url:
                return url
    if not remotes:
        raise HubLinkError(f"the git checkout at {root} has no remote; give the repository's URL with --repo "
                           "(for example --repo https://github.com/your-org/iliopsoas-course)")
    raise HubLinkError(f"the git checkout at {root} has several remotes ({', '.join(remotes)}) and none is "
                       "'origin'; choose one with --repo")


def hub_link(hub: str, *, notebook: str = DEFAULT_NOTEBOOK, branch: str = DEFAULT_BRANCH,
             repo: str | None = None, folder: str = DEFAULT_FOLDER, root: Path | None = None) -> HubLink:
    """The nbgitpuller link that clones the course into ``~/<folder>`` and opens ``notebook``.

    ``hub``: the hub's address (``https://hub.example.edu``, a ``/prefix`` allowed).
    ``notebook``: a slug of ``notebooks/`` (``01-anatomy``; ``.ipynb`` may be given).
    ``repo``: the repository URL; default: the remote of the git checkout at ``root``
    (default: the course root).  Raises HubLinkError naming what is wrong: an
    unknown notebook (listing the known ones), no remote and no ``repo``, a bad
    hub address, branch or folder.
    """
    from .paths import course_root

    root = Path(root) if root is not None else course_root()
    base = normalize_hub(hub)
    slug = notebook.strip().removesuffix(".ipynb")
    slug = slug.removeprefix("notebooks/")
    known = known_notebooks(root)
    if slug not in known:
        raise HubLinkError(f"unknown notebook {notebook!r}; the course's notebooks are: {', '.join(known)}")
    branch = branch.strip()
    if not branch or branch.startswith("-") or any(c.isspace() for c in branch) or ".." in branch:
        raise HubLinkError(f"{branch!r} is not a git branch name")
    folder = folder.strip().strip("/")
    if not folder or folder.startswith(".") or "/" in folder or "\\" in folder:
        raise HubLinkError(f"the folder must be one folder name inside the student's home (got {folder!r})")
    url_repo = clone_url(repo) if repo else clone_url(git_remote_url(root))
    link = HubLink(hub=base, repo=url_repo, branch=branch, folder=folder, notebook=slug, url="")
    query = urlencode([("repo", url_repo), ("branch", branch), ("targetpath", folder),
                       ("urlpath", f"lab/tree/{link.notebook_path}")], quote_via=quote, safe="")
    return HubLink(hub=base, repo=url_repo, branch=branch, folder=folder, notebook=slug,
                   url=f"{base}/hub/user-redirect/git-pull?{query}")

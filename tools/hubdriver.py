"""A class on a real JupyterHub on 127.0.0.1, for the hub tests and the benchmark.

    from hubdriver import ClassHub, course_repo

    repo = course_repo(workdir / "origin.git")         # the course as a bare git repository (file://)
    with ClassHub(workdir) as hub:                      # JupyterHub + configurable-http-proxy
        hub.add_students(["ada", "ben"])
        ada = hub.student("ada")                        # an API token of her own
        ada.start_server()                              # her single-user server, home /…/homes/ada
        ada.open_link(link_url)                         # the nbgitpuller link, as her browser follows it
        kernel = ada.kernel("iliopsoas-course/notebooks/01-anatomy.ipynb")
        kernel.run("from iliopsoas import show_quiz ...")   # her kernel, through the server's kernel API

The hub uses the DummyAuthenticator and a SimpleLocalProcessSpawner whose
students each get a home folder under ``<workdir>/homes/<name>`` (created with
mode 0755, as ``SimpleLocalProcessSpawner`` and many account tools do, so only
the course's own file permissions keep a student's progress private).  Every
single-user server runs this Python environment's ``jupyterhub-singleuser``
(``--allow-root`` when run as root), with JupyterLab and nbgitpuller.
configurable-http-proxy comes from npm (``python3 course.py test`` installs it
into ``.hub/``; or set ``CONFIGURABLE_HTTP_PROXY``).

Everything the hub starts is stopped by :meth:`ClassHub.stop` (also called on
errors and by ``with``): the students' servers through the hub's API, then the
hub's whole process group, then any process of the class still alive.
Only the standard library, psutil and websocket-client are needed.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROXY_ENV = "CONFIGURABLE_HTTP_PROXY"
LOCAL_PROXY = ROOT / ".hub" / "node_modules" / ".bin" / "configurable-http-proxy"
INSTALL_HINT = ("The hub tests need JupyterHub, nbgitpuller (requirements-hub.txt) and configurable-http-proxy "
                "(npm). `python3 course.py test` installs them (configurable-http-proxy into .hub/, which needs "
                "Node.js and npm: Debian/Ubuntu `sudo apt-get install nodejs npm`); or install it yourself and set "
                f"{PROXY_ENV}=/path/to/configurable-http-proxy.")
ADMIN_SCOPES = ["admin:users", "admin:servers", "admin:server_state", "tokens", "access:servers", "list:users",
                "read:users"]


class HubError(RuntimeError):
    """Something the class harness could not do, with what it saw (log tail, HTTP status)."""


def say(msg: str) -> None:
    print(f"[hub] {msg}", file=sys.stderr, flush=True)


def find_proxy() -> str | None:
    """configurable-http-proxy: $CONFIGURABLE_HTTP_PROXY, the course's .hub/ install, or one on PATH."""
    env = os.environ.get(PROXY_ENV)
    if env and Path(env).is_file():
        return env
    if LOCAL_PROXY.is_file():
        return str(LOCAL_PROXY)
    return shutil.which("configurable-http-proxy")


def missing_tools() -> list[str]:
    """What the hub harness needs and this machine lacks (empty when all is there)."""
    out = []
    bindir = Path(sys.executable).parent
    for module in ("jupyterhub", "nbgitpuller", "websocket", "psutil"):
        try:
            __import__(module)
        except ImportError:
            out.append(f"the Python package {module}")
    if not (bindir / "jupyterhub-singleuser").exists():
        out.append(f"jupyterhub-singleuser in {bindir}")
    if not find_proxy():
        out.append("configurable-http-proxy")
    if not shutil.which("git"):
        out.append("git")
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- the course as a git repository

def git(cwd: Path, *args: str, env: dict | None = None) -> str:
    out = subprocess.run(["git", "-c", "user.name=Instructor", "-c", "user.email=instructor@example.edu",
                          "-c", "init.defaultBranch=main", *args], cwd=cwd, capture_output=True, text=True,
                         env=env, timeout=120)
    if out.returncode:
        raise HubError(f"git {' '.join(args)} failed in {cwd}: {out.stderr.strip()[-800:]}")
    return out.stdout.strip()


def course_files(root: Path = ROOT) -> list[str]:
    """The course's files as a clone would have them: tracked and new (not ignored) files of the checkout."""
    listed = git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    return sorted({f for f in listed.split("\0") if f and (root / f).is_file()})


def course_repo(bare: Path, root: Path = ROOT, work: Path | None = None) -> Path:
    """A bare repository at ``bare`` holding the course as it is now in ``root`` (one commit on ``main``).

    Built from the files of the working tree (so uncommitted work is what the class gets) in
    ``work`` (default: next to ``bare``), which stays as the instructor's clone for later pushes.
    """
    work = work or bare.with_name(bare.stem + "-instructor")
    work.mkdir(parents=True)
    for rel in course_files(root):
        dst = work / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / rel, dst)
    git(work, "init", "-q", "-b", "main")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "The course, as the instructor publishes it")
    git(bare.parent, "init", "-q", "--bare", "-b", "main", str(bare))
    git(work, "remote", "add", "origin", str(bare))
    git(work, "push", "-q", "origin", "main")
    return bare


# --------------------------------------------------------------------------- HTTP

class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def http(method: str, url: str, token: str | None = None, body=None, timeout: float = 60,
         headers: dict | None = None) -> Response:
    """One request, redirects not followed; HTTP errors are returned as responses, not raised."""
    data = None
    hdrs = dict(headers or {})
    if token:
        hdrs["Authorization"] = f"token {token}"
    if body is not None:
        data = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            return Response(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as exc:
        return Response(exc.code, exc.headers, exc.read())


# --------------------------------------------------------------------------- the hub

CONFIG = r'''
# Written by tools/hubdriver.py for one class on 127.0.0.1.
import os
from jupyterhub.spawner import SimpleLocalProcessSpawner

SETTINGS = {settings!r}


class ClassSpawner(SimpleLocalProcessSpawner):
    """A student's server in their own home folder, made like a fresh account's home (mode 0755)."""

    def make_preexec_fn(self, name):
        home = self.home_dir

        def preexec():
            os.makedirs(home, 0o755, exist_ok=True)
            os.chdir(home)

        return preexec


c = get_config()  # noqa: F821
c.JupyterHub.bind_url = SETTINGS["public_url"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = SETTINGS["hub_port"]
c.ConfigurableHTTPProxy.api_url = SETTINGS["proxy_api_url"]
c.ConfigurableHTTPProxy.command = [SETTINGS["proxy"]]
c.ConfigurableHTTPProxy.auth_token = SETTINGS["proxy_token"]
c.ConfigurableHTTPProxy.should_start = True
c.JupyterHub.db_url = "sqlite:///" + SETTINGS["db"]
c.JupyterHub.cookie_secret = bytes.fromhex(SETTINGS["cookie_secret"])
c.JupyterHub.pid_file = SETTINGS["pid_file"]
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = ClassSpawner
c.SimpleLocalProcessSpawner.home_dir_template = SETTINGS["homes"] + "/{{username}}"
c.Spawner.cmd = [SETTINGS["singleuser"]]
c.Spawner.args = SETTINGS["args"]
c.Spawner.default_url = "/lab"
c.Spawner.environment = SETTINGS["environment"]
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.JupyterHub.services = [{{"name": "class-admin", "api_token": SETTINGS["admin_token"]}}]
c.JupyterHub.load_roles = [{{"name": "class-admin", "scopes": SETTINGS["admin_scopes"], "services": ["class-admin"]}}]
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
c.JupyterHub.concurrent_spawn_limit = 0
c.JupyterHub.active_server_limit = 0
'''


class ClassHub:
    """JupyterHub + proxy on 127.0.0.1 with a home folder per student (see the module docstring)."""

    def __init__(self, workdir: Path, *, environment: dict | None = None, python: str = sys.executable):
        self.workdir = Path(workdir)
        self.homes = self.workdir / "homes"
        self.python = python
        self.bindir = Path(python).parent
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_token = secrets.token_hex(24)
        self.password = secrets.token_hex(8)
        self.environment = dict(environment or {})
        self.proc: subprocess.Popen | None = None
        self.log_path = self.workdir / "jupyterhub.log"
        self._log = None
        self._students: dict[str, "Student"] = {}
        self._seen_pids: set[int] = set()

    # -- lifecycle
    def start(self, timeout: float = 120) -> "ClassHub":
        missing = missing_tools()
        if missing:
            raise HubError(f"missing: {', '.join(missing)}. {INSTALL_HINT}")
        self.homes.mkdir(parents=True, exist_ok=True)
        state = self.workdir / "hub-state"
        state.mkdir(exist_ok=True)
        settings = {
            "public_url": self.url,
            "hub_port": free_port(),
            "proxy_api_url": f"http://127.0.0.1:{free_port()}",
            "proxy": find_proxy(),
            "proxy_token": secrets.token_hex(24),
            "db": str(state / "jupyterhub.sqlite"),
            "cookie_secret": secrets.token_hex(32),
            "pid_file": str(state / "jupyterhub.pid"),
            "homes": str(self.homes),
            "singleuser": str(self.bindir / "jupyterhub-singleuser"),
            "args": ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [],
            "environment": self.environment,
            "admin_token": self.admin_token,
            "admin_scopes": ADMIN_SCOPES,
        }
        config = state / "jupyterhub_config.py"
        config.write_text(CONFIG.format(settings=settings), encoding="utf-8")
        env = {
            "PATH": os.pathsep.join([str(self.bindir), "/usr/local/bin", "/usr/bin", "/bin"]),
            "VIRTUAL_ENV": str(self.bindir.parent),
            "LANG": "C.UTF-8",
            "HOME": str(state),
            "JUPYTERHUB_CRYPT_KEY": secrets.token_hex(32),
        }
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.python, "-m", "jupyterhub", "-f", str(config)], cwd=state, env=env,
                                     stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise HubError(f"JupyterHub exited with status {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if http("GET", f"{self.url}/hub/api/", timeout=5).status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.5)
        raise HubError(f"JupyterHub did not answer on {self.url} within {timeout:.0f} s:\n{self.log_tail()}")

    def __enter__(self) -> "ClassHub":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no hub log)"

    def processes(self) -> list:
        """The hub's process and every descendant (proxy, students' servers, their kernels), as psutil objects."""
        import psutil

        if self.proc is None:
            return []
        try:
            top = psutil.Process(self.proc.pid)
            return [top, *top.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def stop(self, timeout: float = 30) -> list[str]:
        """Stop the students' servers, the hub and its proxy; kill what is left. Returns what had to be killed."""
        import psutil

        if self.proc is None:
            return []
        known = {p.pid: p for p in self.processes()}
        if self.proc.poll() is None:
            def stop_server(name):
                try:
                    self.api("DELETE", f"/users/{name}/server", timeout=30)
                except (HubError, OSError):
                    pass

            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=max(1, len(self._students))) as pool:
                list(pool.map(stop_server, list(self._students)))
            known.update({p.pid: p for p in self.processes()})
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # the hub and the proxy it started
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        killed = []
        for pid, proc in known.items():
            try:
                if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                    killed.append(f"{pid} {' '.join(proc.cmdline()[:3])}")
                    proc.kill()
            except psutil.NoSuchProcess:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        self.proc = None
        if self._log:
            self._log.close()
            self._log = None
        return killed

    # -- the hub's REST API (as the class's admin service)
    def api(self, method: str, path: str, body=None, timeout: float = 60, ok=(200, 201, 202, 204)):
        resp = http(method, f"{self.url}/hub/api{path}", self.admin_token, body, timeout)
        if resp.status not in ok:
            raise HubError(f"{method} /hub/api{path}: HTTP {resp.status} {resp.text[:500]}\n{self.log_tail(15)}")
        return resp.json() if resp.body else None

    def add_students(self, names: list[str]) -> list["Student"]:
        self.api("POST", "/users", {"usernames": list(names)})
        return [self.student(n) for n in names]

    def student(self, name: str) -> "Student":
        if name not in self._students:
            token = self.api("POST", f"/users/{name}/tokens", {"note": "class test", "expires_in": 7200})["token"]
            self._students[name] = Student(self, name, token)
        return self._students[name]

    def start_servers(self, names: list[str], timeout: float = 300) -> dict[str, float]:
        """Start several students' servers at once (as a class logging in together); seconds until each was ready."""
        t0 = time.perf_counter()
        for name in names:
            self.api("POST", f"/users/{name}/server", ok=(201, 202, 400))
        pending, ready = list(names), {}
        while pending and time.perf_counter() - t0 < timeout:
            for name in list(pending):
                server = (self.api("GET", f"/users/{name}").get("servers") or {}).get("")
                if server and server.get("ready"):
                    ready[name] = time.perf_counter() - t0
                    pending.remove(name)
                elif not (server and server.get("pending")) and time.perf_counter() - t0 > 10:
                    raise HubError(f"{name}'s server is neither starting nor ready:\n{self.log_tail()}")
            time.sleep(0.5)
        if pending:
            raise HubError(f"servers not ready within {timeout:.0f} s: {', '.join(pending)}\n{self.log_tail()}")
        return ready

    def server_pid(self, name: str) -> int | None:
        """The pid of a student's single-user server (from the spawner's state, admin API)."""
        model = self.api("GET", f"/users/{name}")
        server = (model.get("servers") or {}).get("")
        state = (server or {}).get("state") or {}
        return state.get("pid")


# --------------------------------------------------------------------------- one student

class Student:
    """One student of the class, acting through the hub with their own API token."""

    def __init__(self, hub: ClassHub, name: str, token: str):
        self.hub, self.name, self.token = hub, name, token
        self.home = hub.homes / name
        self.base = f"{hub.url}/user/{name}"
        self._browser = None

    def get(self, path: str, **kw) -> Response:
        return http("GET", f"{self.base}{path}", self.token, **kw)

    def start_server(self, timeout: float = 180) -> float:
        """Start the student's server and wait until the hub says it is ready; returns the seconds it took."""
        t0 = time.perf_counter()
        self.hub.api("POST", f"/users/{self.name}/server", ok=(201, 202, 400))
        start = time.monotonic()
        while time.monotonic() < start + timeout:
            server = (self.hub.api("GET", f"/users/{self.name}").get("servers") or {}).get("")
            if server and server.get("ready"):
                return time.perf_counter() - t0
            if not (server and server.get("pending")) and time.monotonic() > start + 10:
                raise HubError(f"{self.name}'s server is neither starting nor ready:\n{self.hub.log_tail()}")
            time.sleep(0.5)
        raise HubError(f"{self.name}'s server was not ready within {timeout:.0f} s:\n{self.hub.log_tail()}")

    def login(self) -> None:
        """Log in on the hub's login page (username and password form), keeping the cookies, as a browser does."""
        import http.cookiejar
        import re

        if self._browser is not None:
            return
        self._jar = http.cookiejar.CookieJar()
        self._hops = []
        student = self

        class Recorder(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, req, fp, code, msg, headers, newurl):
                student._hops.append(newurl)
                return super().redirect_request(req, fp, code, msg, headers, newurl)

        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self._jar), Recorder)
        with opener.open(f"{self.hub.url}/hub/login", timeout=60) as resp:
            page = resp.read().decode("utf-8", "replace")
        m = re.search(r'name="_xsrf"\s+value="([^"]+)"', page)
        form = {"username": self.name, "password": self.hub.password}
        if m:
            form["_xsrf"] = m.group(1)
        req = urllib.request.Request(f"{self.hub.url}/hub/login", data=urllib.parse.urlencode(form).encode(),
                                     method="POST")
        with opener.open(req, timeout=120) as resp:
            if "/hub/login" in resp.url:
                raise HubError(f"{self.name} could not log in (the login page came back)")
        self._browser = opener

    def browse(self, url: str, timeout: float = 180) -> tuple[str, int, str, list[str]]:
        """GET ``url`` with the student's cookies, following redirects: (final URL, status, body, hops)."""
        self.login()
        self._hops = []
        try:
            with self._browser.open(url, timeout=timeout) as resp:
                return resp.url, resp.status, resp.read().decode("utf-8", "replace"), list(self._hops)
        except urllib.error.HTTPError as exc:
            return exc.url, exc.code, exc.read().decode("utf-8", "replace"), list(self._hops)

    def open_link(self, link: str, timeout: float = 180) -> dict:
        """Open an nbgitpuller link as the student's browser does; returns what happened.

        Logged in on the hub, the link (``/hub/user-redirect/git-pull?...``) must lead, through
        the hub and the server's login (OAuth), to the student's own server's ``git-pull``
        page; that page's script then reads ``git-pull/api`` with the same parameters (an
        event stream) and, when it says *finished*, opens ``urlpath`` in JupyterLab, which
        must load.  Raises HubError when a step fails or the pull reports an error.
        """
        final, status, body, hops = self.browse(link, timeout)
        expected = f"/user/{self.name}/git-pull"
        if status != 200 or urllib.parse.urlsplit(final).path != expected or "git-pull" not in body:
            raise HubError(f"{link} led {self.name} to {final} (HTTP {status}), not to {expected}; hops: {hops}")
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(final).query))
        api = f"{self.base}/git-pull/api?" + urllib.parse.urlencode(
            {k: v for k, v in params.items() if k in ("repo", "branch", "targetpath", "depth")})
        events = self._event_stream(api, timeout)
        last = events[-1] if events else {}
        if last.get("phase") != "finished":
            output = "\n".join(str(e.get("output") or e.get("message") or "") for e in events)
            raise HubError(f"nbgitpuller did not finish for {self.name}: {last}\n{output[-1500:]}")
        urlpath = params.get("urlpath", "")
        opened = self.browse(f"{self.base}/{urlpath}", timeout) if urlpath else None
        return {"hops": hops, "final": final, "params": params, "events": events,
                "opened": opened[0] if opened else None, "opened_status": opened[1] if opened else None,
                "opened_page": opened[2] if opened else ""}

    def _event_stream(self, url: str, timeout: float) -> list[dict]:
        events = []
        with self._browser.open(url, timeout=timeout) as resp:
            for raw in resp:
                line = raw.decode("utf-8", "replace").strip()
                if not line.startswith("data:"):
                    continue
                event = json.loads(line[5:].strip())
                events.append(event)
                if event.get("phase") in ("finished", "error"):
                    break
        return events

    def contents(self, path: str, content: bool = True) -> dict:
        resp = self.get(f"/api/contents/{urllib.parse.quote(path)}?content={1 if content else 0}")
        if resp.status != 200:
            raise HubError(f"{self.name}: GET contents {path}: HTTP {resp.status} {resp.text[:300]}")
        return resp.json()

    def save_notebook(self, path: str, nb: dict) -> None:
        """Save a notebook through the server's contents API, as JupyterLab's Save does."""
        resp = http("PUT", f"{self.base}/api/contents/{urllib.parse.quote(path)}", self.token,
                    {"type": "notebook", "format": "json", "content": nb})
        if resp.status not in (200, 201):
            raise HubError(f"{self.name}: saving {path}: HTTP {resp.status} {resp.text[:300]}")

    def kernel(self, notebook_path: str, timeout: float = 120) -> "Kernel":
        """A kernel for one of the student's notebooks (a session, as opening the notebook makes)."""
        resp = http("POST", f"{self.base}/api/sessions", self.token,
                    {"path": notebook_path, "type": "notebook", "name": Path(notebook_path).name,
                     "kernel": {"name": "python3"}}, timeout=timeout)
        if resp.status not in (200, 201):
            raise HubError(f"{self.name}: starting a kernel for {notebook_path}: HTTP {resp.status} {resp.text[:300]}")
        session = resp.json()
        return Kernel(self, session["kernel"]["id"], session["id"], timeout)


def _decode(frame) -> dict:
    """A kernel message from a websocket frame: JSON text, or binary with buffers (Jupyter Server's format:
    number of parts, their offsets, then the message's JSON as the first part)."""
    if isinstance(frame, str):
        return json.loads(frame)
    import struct

    count = struct.unpack("!I", frame[:4])[0]
    offsets = list(struct.unpack("!" + "I" * count, frame[4:4 * (count + 1)]))
    end = offsets[1] if count > 1 else len(frame)
    return json.loads(frame[offsets[0]:end].decode("utf-8"))


class KernelError(HubError):
    """A cell raised: the traceback's last lines."""


class Kernel:
    """A student's kernel, driven over the server's websocket (the Jupyter messaging protocol)."""

    def __init__(self, student: Student, kernel_id: str, session_id: str, timeout: float):
        import websocket

        self.student, self.id, self.session_id = student, kernel_id, session_id
        url = (f"ws://127.0.0.1:{student.hub.port}/user/{student.name}/api/kernels/{kernel_id}/channels"
               f"?session_id={session_id}")
        self.ws = websocket.create_connection(url, header=[f"Authorization: token {student.token}"],
                                              timeout=timeout)
        self.run("pass", timeout=timeout)  # the kernel is up and answering

    def run(self, code: str, timeout: float = 300) -> str:
        """Execute ``code``; returns its printed text (stdout and results). Raises KernelError on an error."""
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": self.student.name, "session": self.session_id,
                       "msg_type": "execute_request", "version": "5.3",
                       "date": datetime.now(timezone.utc).isoformat()},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        out, error, idle, replied = [], None, False, False
        deadline = time.monotonic() + timeout
        while not (idle and replied):
            if time.monotonic() > deadline:
                raise HubError(f"{self.student.name}'s kernel did not finish within {timeout:.0f} s: {code[:200]}")
            self.ws.settimeout(max(1.0, deadline - time.monotonic()))
            msg = _decode(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["header"]["msg_type"], msg.get("content", {})
            if kind == "stream":
                out.append(content.get("text", ""))
            elif kind in ("execute_result", "display_data") and "text/plain" in content.get("data", {}):
                if kind == "execute_result":
                    out.append(content["data"]["text/plain"] + "\n")
            elif kind == "error":
                error = "\n".join(content.get("traceback", [])[-3:]) or f"{content.get('ename')}: {content.get('evalue')}"
            elif kind == "status" and content.get("execution_state") == "idle":
                idle = True
            elif kind == "execute_reply":
                replied = True
                if content.get("status") == "error" and error is None:
                    error = f"{content.get('ename')}: {content.get('evalue')}"
        if error:
            raise KernelError(f"{self.student.name}'s kernel: {error}\ncode: {code[:300]}")
        return "".join(out)

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:  # noqa: BLE001
            pass
        http("DELETE", f"{self.student.base}/api/sessions/{self.session_id}", self.student.token, timeout=30)


# --------------------------------------------------------------------------- memory

def tree_memory(pid: int) -> dict:
    """PSS and RSS (MB) of a process and all its descendants, and how many processes: {pss_mb, rss_mb, processes}.

    PSS (proportional set size) shares each shared page between the processes that map it,
    so PSS of many students adds up to what the machine really holds; RSS counts shared
    pages in full (what a container's memory limit sees, as nothing is shared across pods).
    """
    import psutil

    top = psutil.Process(pid)
    procs = [top, *top.children(recursive=True)]
    pss = rss = 0
    for p in procs:
        try:
            info = p.memory_full_info()
            pss += getattr(info, "pss", info.rss)
            rss += info.rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return {"pss_mb": pss / 2**20, "rss_mb": rss / 2**20, "processes": len(procs)}

"""Every notebook runs on its own, in any order, with no network.

Each notebook in notebooks/ is executed top to bottom (nbclient) in a fresh
kernel, in a random order, all sharing one fresh progress store, and with
networking disabled inside the kernel: a temporary IPYTHONDIR holds a startup
script (``profile_default/startup/``) that makes every connection or name
lookup to a non-loopback host raise ``NetworkBlocked``.  A notebook that
needed the internet, or that relied on another notebook having run first,
fails here.

The order's seed is in each test's id (``seed=…``) and in every failure
message; set ``ILIOPSOAS_RELIABILITY_SEED`` to replay an order.

``test_the_network_guard_blocks_outside_hosts`` proves the guard works in a
kernel (this test can fail): connecting to an outside address, resolving a
host name and fetching a URL each fail with ``NetworkBlocked``, while loopback
still works.  Every notebook run also ends with a cell asserting the guard was
active in that kernel.
"""
from __future__ import annotations

import os
import random
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SEED = int(os.environ.get("ILIOPSOAS_RELIABILITY_SEED") or random.SystemRandom().randrange(10**6))
ORDER = random.Random(SEED).sample(NOTEBOOKS, len(NOTEBOOKS))

GUARD = textwrap.dedent('''\
    """Installed by tests/test_reliability.py: no network except loopback in this kernel."""
    import ipaddress
    import socket

    class NetworkBlocked(OSError):
        """Raised for any attempt to reach a host other than this machine."""

    _LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}

    def _is_local(host):
        if host is None:
            return True
        if isinstance(host, (bytes, bytearray)):
            host = bytes(host).decode("ascii", "replace")
        host = str(host).strip("[]").split("%")[0]
        if host.lower() in _LOCAL_NAMES or host == "":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    def _check(host, what):
        if not _is_local(host):
            raise NetworkBlocked(f"network access is disabled in this kernel ({what} {host!r})")

    def _address_host(sock, address):
        if getattr(socket, "AF_UNIX", None) is not None and sock.family == socket.AF_UNIX:
            return None
        return address[0] if isinstance(address, tuple) else address

    _connect, _connect_ex, _sendto = socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto
    _getaddrinfo, _gethostbyname, _gethostbyname_ex = socket.getaddrinfo, socket.gethostbyname, socket.gethostbyname_ex

    def connect(self, address):
        _check(_address_host(self, address), "connect to")
        return _connect(self, address)

    def connect_ex(self, address):
        _check(_address_host(self, address), "connect to")
        return _connect_ex(self, address)

    def sendto(self, data, *args):
        _check(_address_host(self, args[-1]), "send to")
        return _sendto(self, data, *args)

    def getaddrinfo(host, *args, **kwargs):
        _check(host, "look up")
        return _getaddrinfo(host, *args, **kwargs)

    def gethostbyname(host):
        _check(host, "look up")
        return _gethostbyname(host)

    def gethostbyname_ex(host):
        _check(host, "look up")
        return _gethostbyname_ex(host)

    socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto = connect, connect_ex, sendto
    socket.getaddrinfo, socket.gethostbyname, socket.gethostbyname_ex = getaddrinfo, gethostbyname, gethostbyname_ex
    socket.NetworkBlocked = NetworkBlocked
    socket._iliopsoas_network_guard = True
    del connect, connect_ex, sendto, getaddrinfo, gethostbyname, gethostbyname_ex
    ''')

GUARD_ACTIVE = ("import socket\n"
                "assert getattr(socket, '_iliopsoas_network_guard', False), 'the network guard is not active'")


@pytest.fixture(scope="module")
def offline_kernels(tmp_path_factory):
    """Kernels started from here get the guard (IPYTHONDIR) and a fresh, shared progress store."""
    tmp = tmp_path_factory.mktemp("reliability")
    startup = tmp / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-no-network.py").write_text(GUARD, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IPYTHONDIR", str(tmp / "ipython"))
        mp.setenv("ILIOPSOAS_PROGRESS", str(tmp / "progress.sqlite3"))
        mp.setenv("MPLCONFIGDIR", str(tmp / "mpl"))
        yield tmp


def execute(nb, cwd: Path, allow_errors: bool = False, timeout: int = 300):
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                            resources={"metadata": {"path": str(cwd)}}, store_widget_state=False)
    client.execute()
    return nb


def test_the_network_guard_blocks_outside_hosts(offline_kernels, tmp_path):
    attempts = {
        "connect": 'import socket\nsocket.create_connection(("93.184.216.34", 80), timeout=5)',
        "connect-ipv6": 'import socket\ns = socket.socket(socket.AF_INET6)\ns.connect(("2606:4700::6810:84e5", 443))',
        "lookup": 'import socket\nsocket.getaddrinfo("pypi.org", 443)',
        "url": 'import urllib.request\nurllib.request.urlopen("https://pypi.org/simple/", timeout=5)',
        "udp": 'import socket\nsocket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("8.8.8.8", 53))',
    }
    loopback = textwrap.dedent("""\
        import socket
        server = socket.create_server(("127.0.0.1", 0))
        client = socket.create_connection(server.getsockname(), timeout=5)
        client.close(); server.close()
        print("loopback ok")""")
    nb = nbformat.v4.new_notebook()
    nb.cells = ([nbformat.v4.new_code_cell(GUARD_ACTIVE)] + [nbformat.v4.new_code_cell(src) for src in attempts.values()]
                + [nbformat.v4.new_code_cell(loopback)])
    execute(nb, tmp_path, allow_errors=True, timeout=60)

    first = nb.cells[0].outputs
    assert not any(o.output_type == "error" for o in first), f"the guard is not installed in the kernel: {first}"
    for (name, src), cell in zip(attempts.items(), nb.cells[1:]):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert errors, f"{name}: reaching an outside host did not fail in the kernel:\n{src}"
        assert errors[0].ename in ("NetworkBlocked", "URLError"), f"{name}: failed for another reason: {errors[0]}"
        assert "network access is disabled" in (errors[0].evalue + "".join(errors[0].traceback)), errors[0]
    last = nb.cells[-1].outputs
    assert any("loopback ok" in o.get("text", "") for o in last), f"loopback must keep working: {last}"


@pytest.mark.parametrize("path", ORDER, ids=[f"seed={SEED}-{i + 1}-{p.stem}" for i, p in enumerate(ORDER)])
def test_notebook_runs_alone_offline_in_a_fresh_kernel(path, offline_kernels):
    order = " → ".join(p.stem for p in ORDER)
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(GUARD_ACTIVE))
    try:
        execute(nb, path.parent)
    except CellExecutionError as exc:
        pytest.fail(f"{path.name} failed offline in a fresh kernel (order seed {SEED}: {order}; "
                    f"replay with ILIOPSOAS_RELIABILITY_SEED={SEED}):\n{str(exc)[-3000:]}", pytrace=False)
    stderr = [o.text for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.output_type == "stream" and o.name == "stderr"]
    assert not stderr, f"{path.name} wrote to stderr (order seed {SEED}: {order}):\n" + "\n".join(stderr)[:3000]

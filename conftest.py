"""Test-session set-up shared by every test (and by the kernels nbval starts).

Tests never touch a student's real progress file: before anything else runs,
``ILIOPSOAS_PROGRESS`` points at a file in a fresh temporary directory, and
matplotlib gets a private config/cache directory.  Kernels started by nbval
inherit this environment.
"""
import os
import tempfile

_TMP = tempfile.mkdtemp(prefix="iliopsoas-tests-")
os.environ["ILIOPSOAS_PROGRESS"] = os.path.join(_TMP, "progress.sqlite3")
os.environ.setdefault("MPLCONFIGDIR", os.path.join(_TMP, "mpl"))
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

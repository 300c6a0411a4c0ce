"""Black-box harness for the `plinth` binary: servers on fresh data dirs, CLI and HTTP helpers.

Run: PLINTH_BIN=/abs/path/to/plinth /usr/bin/python3 -m pytest -q tests
"""
import hashlib
import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
PLINTH_BIN = os.path.abspath(os.environ.get("PLINTH_BIN") or REPO_ROOT / "build" / "src" / "plinth" / "plinth")
LISTEN_PREFIX = "plinth server listening on "
START_TIMEOUT = 15.0
STOP_TIMEOUT = 15.0


FIXTURE_MODELS = REPO_ROOT / "tests" / "fixtures" / "models"
MODEL_FIXTURE = {"xgboost-json": "tiny-xgboost.json", "xgboost-ubj": "tiny-xgboost.ubj",
                 "lightgbm-text": "tiny-lightgbm.txt"}


def model_artifact(fmt, salt=""):
    """Bytes of a small valid model of `fmt` (registration parses model formats). Text formats get
    `salt` as trailing whitespace-separated padding so artifacts differ; "other" is the salt itself."""
    if fmt == "other":
        return (salt or "other").encode()
    if fmt == "linear-json":
        return json.dumps({"format": "plinth-linear", "features": ["amount", "age", "score"], "weights": [0.1, 0.2, 0.3],
                           "bias": 0.0, "link": "logistic", "description": salt}).encode()
    data = (FIXTURE_MODELS / MODEL_FIXTURE[fmt]).read_bytes()
    if fmt != "xgboost-ubj" and salt:
        data += b"\n" * (1 + sum(salt.encode()) % 97)
    return data


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def clean_env():
    """The environment without PLINTH_* settings, so only explicit flags configure the binary."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PLINTH_")}


def run_binary(args, cwd, timeout=60):
    proc = subprocess.run([PLINTH_BIN, *args], cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def tree(root):
    """Relative paths of every file and directory below `root`."""
    root = Path(root)
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def error_of(resp):
    """(code, message) of an error response, asserting its JSON shape."""
    body = resp.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message"}, body
    return body["error"]["code"], body["error"]["message"]


class PlinthServer:
    """One `plinth server` process on `data_dir`, listening on a free loopback port."""

    def __init__(self, workdir, args=()):
        self.workdir = Path(workdir)
        self.data_dir = self.workdir / "data"
        self.cwd = self.workdir / "cwd"  # empty: no stray plinth.yaml is picked up
        self.cwd.mkdir(parents=True, exist_ok=True)
        self.args = list(args)
        self.proc = None
        self.url = None
        self.port = None
        self.starts = 0
        self._session = requests.Session()

    # ---- process control -------------------------------------------------------------
    def start(self):
        assert self.proc is None, "server already running"
        self.starts += 1
        self.stdout_path = self.workdir / f"stdout.{self.starts}.log"
        self.stderr_path = self.workdir / f"stderr.{self.starts}.log"
        cmd = [PLINTH_BIN, "server", "--data-dir", str(self.data_dir), "--listen", "127.0.0.1:0", *self.args]
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(cmd, cwd=self.cwd, env=clean_env(), stdout=out, stderr=err)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            text = self.stdout_path.read_text()
            if text.endswith("\n"):
                lines = text.splitlines()
                assert len(lines) == 1 and lines[0].startswith(LISTEN_PREFIX), f"unexpected stdout: {text!r}"
                self.url = lines[0][len(LISTEN_PREFIX):]
                assert self.url.startswith("http://127.0.0.1:"), self.url
                self.port = int(self.url.rsplit(":", 1)[1])
                return self
            if self.proc.poll() is not None:
                self.proc = None
                raise AssertionError(f"server exited before listening: {self.stderr_path.read_text()}")
            time.sleep(0.01)
        self.kill9()
        raise AssertionError("server did not print its listening line in time")

    def send_signal(self, sig=signal.SIGTERM):
        """Sends `sig` without waiting (e.g. SIGTERM while a request is in flight)."""
        self.proc.send_signal(sig)

    def wait(self, timeout=STOP_TIMEOUT):
        """Waits for the process to exit on its own; returns the exit code."""
        proc, self.proc = self.proc, None
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError(f"server did not exit within {timeout}s")

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT):
        """Sends `sig` and waits; returns the exit code (None if it was not running)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.send_signal(sig)
        return self.wait(timeout)

    def kill9(self):
        return self.stop(signal.SIGKILL)

    def restart(self):
        rc = self.stop()
        assert rc == 0, f"graceful stop exited {rc}: {self.stderr_path.read_text()}"
        self._session.close()
        self._session = requests.Session()
        return self.start()

    def stderr_text(self):
        return self.stderr_path.read_text()

    # ---- clients -------------------------------------------------------------------------
    def cli(self, *args, token=None, check=True, output=None):
        """Runs `plinth ARGS --server URL [--token T] [-o OUTPUT]`; returns (rc, stdout, stderr)."""
        full = [*args, "--server", self.url]
        if token is not None:
            full += ["--token", token]
        if output is not None:
            full += ["-o", output]
        rc, out, err = run_binary(full, cwd=self.cwd)
        if check:
            assert rc == 0, f"plinth {' '.join(args)} exited {rc}: {err}"
        return rc, out, err

    def cli_json(self, *args, token=None):
        _, out, _ = self.cli(*args, token=token, output="json")
        return json.loads(out)

    def local(self, *args, check=True):
        """Runs a local command on the data dir: `plinth ARGS --data-dir DIR`."""
        rc, out, err = run_binary([*args, "--data-dir", str(self.data_dir)], cwd=self.cwd)
        if check:
            assert rc == 0, f"plinth {' '.join(args)} exited {rc}: {err}"
        return rc, out, err

    def create_token(self, name, scopes):
        _, out, _ = self.local("tokens", "create", "--name", name, "--scopes", scopes)
        secret = out.strip()
        assert secret.startswith("plt_") and "\n" not in secret, out
        return secret

    def http(self, method, path, token=None, session=None, **kw):
        headers = dict(kw.pop("headers", None) or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        kw.setdefault("timeout", 30)
        return (session or self._session).request(method, self.url + path, headers=headers, **kw)

    def ok(self, method, path, expect=200, **kw):
        """An HTTP call that must answer `expect`; returns the parsed JSON body."""
        resp = self.http(method, path, **kw)
        assert resp.status_code == expect, f"{method} {path}: {resp.status_code} {resp.text}"
        return resp.json()

    def upload(self, data, token=None, digest=None, session=None):
        headers = {"Content-Type": "application/octet-stream"}
        if digest is not None:
            headers["X-Plinth-Sha256"] = digest
        return self.http("POST", "/api/v1/artifacts", data=data, headers=headers, token=token, session=session)

    def register(self, model, data, token=None, create=True, fmt="other", session=None, **fields):
        """Uploads `data` and registers it as the next version of `model`; returns the version JSON.

        `session=requests` makes the calls without the shared keep-alive session (for threads)."""
        up = self.upload(data, token=token, digest=sha256(data), session=session)
        assert up.status_code == 201, up.text
        assert up.json() == {"sha256": sha256(data), "size": len(data)}
        body = {"artifact_sha256": sha256(data), "format": fmt, "create_model": create, **fields}
        return self.ok("POST", f"/api/v1/models/{model}/versions", expect=201, json=body, token=token, session=session)

    def raw(self, payload, timeout=10):
        """Sends raw bytes on a new connection and reads until the server closes it.

        Returns (response bytes, our 'ip:port' as the server sees it)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            local = "%s:%d" % s.getsockname()
            s.sendall(payload)
            chunks = []
            while True:
                try:
                    chunk = s.recv(65536)
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            return b"".join(chunks), local

    def object_files(self):
        root = self.data_dir / "objects" / "sha256"
        return sorted(p.name for p in root.rglob("*") if p.is_file())

    def tmp_files(self):
        return sorted(p.name for p in (self.data_dir / "objects" / "tmp").iterdir())

    def wait_for(self, predicate, timeout=5.0, what="condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what}")


def walk_pages(fetch, key):
    """Calls fetch(page_token) (None first) until next_page_token is null; returns each page's `key` list."""
    pages, token = [], None
    while True:
        page = fetch(token)
        pages.append(page[key])
        token = page["next_page_token"]
        if token is None:
            return pages


def with_token(params, token, name="page_token"):
    """`params` plus the page token when there is one."""
    return {**params, name: token} if token else params


def raw_status(response_bytes):
    """The status code of a raw HTTP/1.1 response."""
    assert response_bytes.startswith(b"HTTP/1.1 "), response_bytes[:200]
    return int(response_bytes.split(b" ", 2)[1])


def raw_body_json(response_bytes):
    return json.loads(response_bytes.partition(b"\r\n\r\n")[2])


class ServerPool:
    """Starts servers on fresh data dirs below `root` and stops every one of them in close()."""

    def __init__(self, root):
        self.root = Path(root)
        self.servers = []

    def start(self, *args):
        srv = PlinthServer(self.root / f"srv{len(self.servers)}", args)
        self.servers.append(srv)
        return srv.start()

    def close(self):
        for srv in self.servers:
            try:
                srv.stop(timeout=5)
            except AssertionError:
                pass  # already killed by stop(); the test's own result stands


@pytest.fixture
def start_server(tmp_path):
    """Factory: start_server(*args) starts a server on a fresh data dir; all are stopped at teardown."""
    pool = ServerPool(tmp_path)
    yield pool.start
    pool.close()


@pytest.fixture
def server(start_server):
    return start_server()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "lake: Parquet/Delta conformance tests of the plinth CLI against tests/lake_oracle.py expectations")


@pytest.fixture(scope="session", autouse=True)
def _binary_exists():
    assert os.access(PLINTH_BIN, os.X_OK), f"PLINTH_BIN {PLINTH_BIN} is not an executable; build it first"

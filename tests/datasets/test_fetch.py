"""The Galaxy10 fetchers against a local HTTP server (127.0.0.1 only).

The server serves a small file in the real Galaxy10 format, with HTTP range
support; the fetchers' published URL and checksum are pointed at it.
"""

import hashlib
import http.server
import socket
import threading

import h5py
import numpy as np
import pytest
from numpy.testing import assert_array_equal

from skgalaxy.datasets import (
    GALAXY10_CLASSES,
    GALAXY10_SDSS_CLASSES,
    _fetch,
    fetch_galaxy10_decals,
    fetch_galaxy10_sdss,
    get_data_home,
)


def _galaxy10_bytes(tmp_path, size, n=12):
    rng = np.random.default_rng(0)
    path = tmp_path / "source.h5"
    with h5py.File(path, "w") as f:
        f["images"] = rng.integers(0, 256, (n, size, size, 3), dtype=np.uint8)
        f["ans"] = (np.arange(n) % 10).astype(np.uint8)
        f["ra"] = rng.uniform(0, 360, n)
    return path.read_bytes()


class _Server:
    """Serves ``content`` at /FILE, honouring ``Range``; can cut a response."""

    def __init__(self, content):
        self.content = content
        self.cut_after = None  # bytes sent before the connection drops
        self.requests = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                rng = self.headers.get("Range")
                server.requests.append(rng)
                start = int(rng.split("=")[1].rstrip("-")) if rng else 0
                body = server.content[start:]
                if start >= len(server.content):
                    self.send_response(416)
                    self.end_headers()
                    return
                self.send_response(206 if rng else 200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if server.cut_after is not None:
                    self.wfile.write(body[: server.cut_after])
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(body)

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def served(tmp_path, monkeypatch):
    """A Galaxy10-format file on a local server, as both fetchers' remotes."""
    content = _galaxy10_bytes(tmp_path, 8)
    server = _Server(content)
    digest = hashlib.sha256(content).hexdigest()
    for key, name in [("decals", "Galaxy10_DECals.h5"), ("sdss", "Galaxy10.h5")]:
        remote = _fetch.RemoteFile(name, f"{server.url}/{name}", digest)
        monkeypatch.setitem(_fetch._REMOTE, key, remote)
    monkeypatch.setattr(_fetch, "_TIMEOUT", 10)
    yield server
    server.close()


def test_get_data_home_default_and_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SKGALAXY_DATA", str(tmp_path / "env"))
    assert get_data_home() == tmp_path / "env" and (tmp_path / "env").is_dir()
    monkeypatch.delenv("SKGALAXY_DATA")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert get_data_home() == tmp_path / "home" / "skgalaxy_data"
    assert get_data_home(tmp_path / "given") == tmp_path / "given"


def test_fetch_galaxy10_decals_downloads_once_and_loads(tmp_path, served):
    home = tmp_path / "cache"
    data = fetch_galaxy10_decals(data_home=home, progress=False)
    assert data.images.shape == (12, 8, 8, 3)
    assert data.target_names == list(GALAXY10_CLASSES)
    assert (home / "Galaxy10_DECals.h5").read_bytes() == served.content
    assert sorted(p.name for p in home.iterdir()) == ["Galaxy10_DECals.h5"]
    assert len(served.requests) == 1
    X, y = fetch_galaxy10_decals(data_home=home, return_X_y=True, progress=False)
    assert len(served.requests) == 1  # the cached file is used
    assert_array_equal(y, np.arange(12) % 10)


def test_fetch_galaxy10_sdss_has_its_own_class_names(tmp_path, served, monkeypatch):
    monkeypatch.setenv("SKGALAXY_DATA", str(tmp_path / "env"))
    data = fetch_galaxy10_sdss(progress=False)
    assert data.target_names == list(GALAXY10_SDSS_CLASSES)
    assert data.target_names[0] == "disk, face-on, no spiral"
    assert (tmp_path / "env" / "Galaxy10.h5").is_file()


def test_fetch_resumes_a_partial_download(tmp_path, served):
    home = tmp_path / "cache"
    home.mkdir()
    half = len(served.content) // 2
    (home / "Galaxy10_DECals.h5.part").write_bytes(served.content[:half])
    fetch_galaxy10_decals(data_home=home, progress=False)
    assert served.requests == [f"bytes={half}-"]
    assert (home / "Galaxy10_DECals.h5").read_bytes() == served.content
    assert not (home / "Galaxy10_DECals.h5.part").exists()


def test_fetch_interrupted_download_resumes_on_the_next_call(tmp_path, served):
    home = tmp_path / "cache"
    served.cut_after = 3000
    with pytest.raises(ConnectionError, match="stopped after .* run again to resume"):
        fetch_galaxy10_decals(data_home=home, progress=False)
    assert (home / "Galaxy10_DECals.h5.part").stat().st_size == 3000
    assert not (home / "Galaxy10_DECals.h5").exists()
    served.cut_after = None
    fetch_galaxy10_decals(data_home=home, progress=False)
    assert served.requests == [None, "bytes=3000-"]
    assert (home / "Galaxy10_DECals.h5").read_bytes() == served.content


def test_fetch_wrong_checksum_removes_the_file(tmp_path, served, monkeypatch):
    remote = _fetch._REMOTE["decals"]._replace(sha256="0" * 64)
    monkeypatch.setitem(_fetch._REMOTE, "decals", remote)
    home = tmp_path / "cache"
    with pytest.raises(OSError, match="not the published 0000.*the file was removed"):
        fetch_galaxy10_decals(data_home=home, progress=False)
    assert list(home.iterdir()) == []


def test_fetch_offline_says_what_to_fetch_by_hand(tmp_path, monkeypatch):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/Galaxy10_DECals.h5"
    remote = _fetch.RemoteFile("Galaxy10_DECals.h5", url, "0" * 64)
    monkeypatch.setitem(_fetch._REMOTE, "decals", remote)
    home = tmp_path / "cache"
    with pytest.raises(ConnectionError) as excinfo:
        fetch_galaxy10_decals(data_home=home, progress=False)
    message = str(excinfo.value)
    assert "\n" not in message
    assert f"Download {url} by hand and put it at {home / 'Galaxy10_DECals.h5'}" in (
        message
    )
    assert list(home.iterdir()) == []


def test_fetch_download_if_missing_false(tmp_path, served):
    with pytest.raises(OSError, match="download_if_missing is False"):
        fetch_galaxy10_decals(
            data_home=tmp_path, download_if_missing=False, progress=False
        )
    assert served.requests == []

"""Fetchers: download the Galaxy10 files once into a cache folder, then load them.

In the style of scikit-learn's ``fetch_*``: the cache folder is ``data_home``
(default ``$SKGALAXY_DATA``, else ``~/skgalaxy_data``); a download goes to
``FILE.part``, resumes from it with an HTTP range request, is checked against
the published SHA256 and only then renamed to ``FILE``.
"""

import hashlib
import os
import sys
from collections import namedtuple
from numbers import Integral
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from sklearn.utils._param_validation import validate_params

from ..utils._param_validation import StrictInterval
from ._classes import GALAXY10_CLASSES, GALAXY10_SDSS_CLASSES
from ._galaxy10 import load_galaxy10

__all__ = ["fetch_galaxy10_decals", "fetch_galaxy10_sdss", "get_data_home"]

RemoteFile = namedtuple("RemoteFile", ["filename", "url", "sha256"])

# The published files and their SHA256, as astroNN's loaders give them
# (H. Leung and J. Bovy, astroNN, astroNN/datasets/galaxy10.py and
# galaxy10sdss.py, https://github.com/henrysky/astroNN). Tests point these at
# a local server.
_REMOTE = {
    "decals": RemoteFile(
        "Galaxy10_DECals.h5",
        "https://zenodo.org/records/10845026/files/Galaxy10_DECals.h5",
        "19aefc477c41bb7f77ff07599a6b82a038dc042f889a111b0d4d98bb755c1571",
    ),
    "sdss": RemoteFile(
        "Galaxy10.h5",
        "https://zenodo.org/records/10844811/files/Galaxy10.h5",
        "969a6b1cefcc36e09fffa86febd2f699a4aa19b837ba0427f01b0bc6ded458af",
    ),
}

_BLOCK = 2**20
_TIMEOUT = 60


def get_data_home(data_home=None):
    """Return the folder where skgalaxy keeps downloaded data, creating it.

    Parameters
    ----------
    data_home : str, path-like or None, default=None
        The folder. ``None`` means the ``SKGALAXY_DATA`` environment variable,
        else ``~/skgalaxy_data``.

    Returns
    -------
    data_home : pathlib.Path
        The folder (``~`` expanded).

    Examples
    --------
    >>> import tempfile
    >>> from skgalaxy.datasets import get_data_home
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     get_data_home(tmp).is_dir()
    True
    """
    if data_home is None:
        data_home = os.environ.get("SKGALAXY_DATA") or Path("~") / "skgalaxy_data"
    data_home = Path(data_home).expanduser()
    data_home.mkdir(parents=True, exist_ok=True)
    return data_home


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _by_hand(remote, path):
    return f"Download {remote.url} by hand and put it at {path}"


def _download(remote, part, path, progress):
    """Append the rest of ``remote`` to ``part``, resuming where it stops."""
    from tqdm.auto import tqdm

    start = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": "skgalaxy"}
    if start:
        headers["Range"] = f"bytes={start}-"
    try:
        response = urlopen(Request(remote.url, headers=headers), timeout=_TIMEOUT)
    except HTTPError as exc:
        if exc.code == 416 and start:  # the part is already whole
            return
        raise ConnectionError(
            f"could not download {remote.filename} from {remote.url} (HTTP "
            f"{exc.code} {exc.reason}). {_by_hand(remote, path)}."
        ) from exc
    except (TimeoutError, URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ConnectionError(
            f"could not download {remote.filename} from {remote.url} ({reason}); "
            f"are you offline? {_by_hand(remote, path)}."
        ) from exc
    with response:
        if start and response.status != 206:
            start = 0  # the server ignored the range: start over
        length = response.headers.get("Content-Length")
        total = None if length is None else start + int(length)
        written = start
        with (
            open(part, "ab" if start else "wb") as fh,
            tqdm(
                total=total,
                initial=start,
                unit="B",
                unit_scale=True,
                desc=remote.filename,
                disable=not progress,
                leave=False,
                file=sys.stderr,
            ) as bar,
        ):
            try:
                while block := response.read(_BLOCK):
                    fh.write(block)
                    written += len(block)
                    bar.update(len(block))
            except (OSError, ValueError) as exc:  # connection lost, timeout
                fh.flush()
                raise ConnectionError(
                    f"the download of {remote.filename} from {remote.url} stopped "
                    f"after {written:,} bytes ({exc}); run again to resume it, or "
                    f"{_by_hand(remote, path).lower()}."
                ) from exc
    if total is not None and written < total:
        raise ConnectionError(
            f"the download of {remote.filename} from {remote.url} stopped after "
            f"{written:,} of {total:,} bytes; run again to resume it, or "
            f"{_by_hand(remote, path).lower()}."
        )


def _fetch(remote, data_home, download_if_missing, progress):
    """Return the cached file for ``remote``, downloaded and verified if missing."""
    folder = get_data_home(data_home)
    path = folder / remote.filename
    if path.is_file():
        return path
    if not download_if_missing:
        raise OSError(
            f"{remote.filename} is not in {folder} and download_if_missing is "
            f"False. {_by_hand(remote, path)}."
        )
    part = path.with_name(path.name + ".part")
    _download(remote, part, path, progress)
    digest = _sha256(part)
    if digest != remote.sha256:
        part.unlink()
        raise OSError(
            f"the download of {remote.filename} from {remote.url} has SHA256 "
            f"{digest}, not the published {remote.sha256}; the file was "
            f"removed. Run again to download it anew, or "
            f"{_by_hand(remote, path).lower()}."
        )
    os.replace(part, path)
    return path


_FETCH_PARAMS = {
    "download_if_missing": ["boolean"],
    "chunk_size": [StrictInterval(Integral, 1, None, closed="left")],
}

_FETCH_DOC = """
    Parameters
    ----------
    data_home : str, path-like or None, default=None
        The cache folder. ``None`` means ``$SKGALAXY_DATA``, else
        ``~/skgalaxy_data`` (see :func:`get_data_home`).
    download_if_missing : bool, default=True
        Download the file when it is not in ``data_home``; if False, raise an
        OSError instead.
    transformer : transformer or None, default=None
        Applied chunk by chunk while loading (see :func:`load_galaxy10`).
    chunk_size : int, default=512
        Images read (and transformed) at a time.
    indices : array-like of int, bool mask, slice or None, default=None
        Rows of the file to load; ``None`` loads all.
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.
    progress : bool, default=True
        Show progress bars (download and loading).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        As :func:`load_galaxy10` returns it, with this dataset's class names
        in ``target_names``.
    (images, target) : tuple
        If ``return_X_y=True``.

    Raises
    ------
    ConnectionError
        If the download fails (offline, server error, connection lost): one
        line naming the URL to fetch by hand and where to put the file. A
        partial download is kept beside the target as ``FILE.part`` and the
        next call resumes it.
    OSError
        If the downloaded file's SHA256 is not the published one (the file is
        removed), or the file is missing and ``download_if_missing=False``.
"""


@validate_params(_FETCH_PARAMS, prefer_skip_nested_validation=True)
def fetch_galaxy10_decals(
    *,
    data_home=None,
    download_if_missing=True,
    transformer=None,
    chunk_size=512,
    indices=None,
    return_X_y=False,
    progress=True,
):
    path = _fetch(_REMOTE["decals"], data_home, download_if_missing, progress)
    return load_galaxy10(
        path,
        transformer=transformer,
        chunk_size=chunk_size,
        indices=indices,
        return_X_y=return_X_y,
        progress=progress,
        target_names=GALAXY10_CLASSES,
    )


@validate_params(_FETCH_PARAMS, prefer_skip_nested_validation=True)
def fetch_galaxy10_sdss(
    *,
    data_home=None,
    download_if_missing=True,
    transformer=None,
    chunk_size=512,
    indices=None,
    return_X_y=False,
    progress=True,
):
    path = _fetch(_REMOTE["sdss"], data_home, download_if_missing, progress)
    return load_galaxy10(
        path,
        transformer=transformer,
        chunk_size=chunk_size,
        indices=indices,
        return_X_y=return_X_y,
        progress=progress,
        target_names=GALAXY10_SDSS_CLASSES,
    )


fetch_galaxy10_decals.__doc__ = (
    """Load Galaxy10 DECaLS, downloading it (2.5 GB) the first time.

    17,736 galaxies of 256x256 pixels (g, r, z cutouts from the DESI Legacy
    Imaging Surveys) in 10 Galaxy Zoo classes (:data:`GALAXY10_CLASSES`).
    The file, ``Galaxy10_DECals.h5``, comes from Zenodo (record 10845026) and
    is checked against its published SHA256 before it is used.
"""
    + _FETCH_DOC
    + """
    See Also
    --------
    fetch_galaxy10_sdss : The original Galaxy10, from SDSS.
    load_galaxy10 : Load a Galaxy10 file you already have.

    References
    ----------
    H. Leung and J. Bovy, "Galaxy10 DECaLS",
    https://github.com/henrysky/Galaxy10 (astroNN's loader gives the file's
    URL and SHA256).

    Examples
    --------
    Offline, with nothing in the cache, the error says what to fetch by hand:

    >>> import tempfile
    >>> from skgalaxy.datasets import fetch_galaxy10_decals
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     fetch_galaxy10_decals(data_home=tmp, download_if_missing=False)
    Traceback (most recent call last):
    ...
    OSError: Galaxy10_DECals.h5 is not in ... and download_if_missing is False. \
Download https://zenodo.org/records/10845026/files/Galaxy10_DECals.h5 by hand \
and put it at .../Galaxy10_DECals.h5.
    """
)

fetch_galaxy10_sdss.__doc__ = (
    """Load Galaxy10 SDSS (the original Galaxy10), downloading it the first time.

    21,785 galaxies of 69x69 pixels (g, r, i cutouts from the Sloan Digital
    Sky Survey) in the set's own 10 classes (:data:`GALAXY10_SDSS_CLASSES`,
    not the DECaLS ones), 200 MB. The file, ``Galaxy10.h5``, comes from
    Zenodo (record 10844811) and is checked against its published SHA256
    before it is used.
"""
    + _FETCH_DOC
    + """
    See Also
    --------
    fetch_galaxy10_decals : The newer Galaxy10, from DECaLS.
    load_galaxy10 : Load a Galaxy10 file you already have.

    References
    ----------
    H. Leung and J. Bovy, "Galaxy10", astroNN documentation,
    https://astronn.readthedocs.io/en/latest/galaxy10sdss.html (astroNN's
    loader gives the file's URL and SHA256).

    Examples
    --------
    >>> import tempfile
    >>> from skgalaxy.datasets import fetch_galaxy10_sdss
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     fetch_galaxy10_sdss(data_home=tmp, download_if_missing=False)
    Traceback (most recent call last):
    ...
    OSError: Galaxy10.h5 is not in ... and download_if_missing is False. ...
    """
)

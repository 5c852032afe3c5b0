"""Fixtures shared by the whole test suite."""

import os
from pathlib import Path

import numpy as np
import pytest

# ../shared/data beside the repository; SKGALAXY_SHARED_DATA overrides it.
SHARED_DATA = Path(
    os.environ.get(
        "SKGALAXY_SHARED_DATA",
        Path(__file__).resolve().parents[1].parent / "shared" / "data",
    )
)


@pytest.fixture
def shared_data():
    """Path to ../shared/data; skips the test when it is absent (a user's clone)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real galaxy data not found at {SHARED_DATA} (../shared/data)")
    return SHARED_DATA


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(scope="session", autouse=True)
def _limit_threads():
    """Keep the suite to the machine's cores: one BLAS/torch thread per worker."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        try:
            import torch
        except ImportError:
            yield
            return
        previous = torch.get_num_threads()
        torch.set_num_threads(1)
        yield
        torch.set_num_threads(previous)

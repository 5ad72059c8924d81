"""PyTorch as a test oracle, optional: ``torch`` is the module or None, and ``needs_torch`` skips a test
without it, with the one reason that the summary counts (``make test`` passes on a machine without PyTorch).

    from tests.torch_oracle import needs_torch, torch

    @needs_torch
    def test_matches_pytorch(): ...
"""

import pytest

from engine.testing.oracles import TORCH_MISSING

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason=TORCH_MISSING)

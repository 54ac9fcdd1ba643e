"""The attack-corpus generator (``tests/vectors/make_vectors.py``) loaded as a module, once.

Several benchmarks reuse its helpers (issuing a genuine record, re-signing, the flood
builders) so that what they time is exactly what the vector tests check.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path
from typing import Any

ROOT_DIR = Path(__file__).resolve().parents[1]


@functools.cache
def vector_generator() -> Any:
    path = ROOT_DIR / "tests" / "vectors" / "make_vectors.py"
    spec = importlib.util.spec_from_file_location("hocbaso_make_vectors", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module

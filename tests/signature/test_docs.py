"""docs/signing.md's runnable examples (the remote-signing walk-through) really work."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "signing.md"


def test_remote_signing_walkthrough_runs() -> None:
    text = DOC.read_text(encoding="utf-8")
    blocks = [
        b
        for b in re.findall(r"^```python\n(.*?)^```", text, re.S | re.M)
        if "# doc: no-run" not in b and "FakeRemoteSigningService" in b
    ]
    assert len(blocks) == 1, "the remote-signing walk-through is one runnable block"
    namespace: dict[str, object] = {"__name__": "signing_doc"}
    exec(compile(blocks[0], str(DOC), "exec"), namespace)
    signed = namespace["signed"]
    assert isinstance(signed, tuple) and len(signed) == 3
    assert all(isinstance(s, bytes) and b'Id="sig-gvcn"' in s for s in signed)
    assert namespace["direct"] == signed[0]

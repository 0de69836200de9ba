"""The examples run as a newcomer would run them (make demo)."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_tour(child_env):
    p = subprocess.run(
        [sys.executable, os.path.join(ROOT, "examples", "tour.py")],
        env=child_env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "inserted 3 rows" in out
    assert "types: Decimal date" in out
    assert "caught UniqueViolation (pgcode 23505)" in out
    assert "...22012: the update was rolled back" in out
    assert "price of book 1: 45.50" in out
    assert "connection closed: 1" in out

"""bench/batch.py is run by `make bench`, not by the suite: its report is checked here."""

from __future__ import annotations

from bench import batch

FIGURES = {
    "loans": 1_000_000,
    "sample": 50.0,
    "workers1": {"seconds": 500.0, "rss": 400 * batch.MIB},
    "workers2": {"seconds": 250.0, "rss": 700 * batch.MIB},
    "ndjson": {"lines": 100_000, "seconds": 80.0, "growth": 20 * batch.MIB},
}


def test_the_section_gives_each_figure_against_its_target():
    """1,000,000 / 250 s = 4,000 loans/s; / 500 s = 2,000: scaling 2.00x; 100,000 / 80 s."""
    text = batch.section(FIGURES, "make bench")
    assert "| `--workers 2` | 250.0 | 4,000 | 700 MiB | >= 3,000 loans/s: **met** |" in text
    assert "| scaling 1 -> 2 | | 2.00x | | >= 1.6x: **met** |" in text
    assert "**1,250 loans/s** (>= 1,000: **met**)" in text
    assert "**20 MiB** (<= 100 MiB: **met**)" in text


def test_the_section_replaces_its_own_block_and_keeps_the_rest(tmp_path, monkeypatch):
    results = tmp_path / "RESULTS.md"
    monkeypatch.setattr(batch, "RESULTS", results)
    results.write_text("# Bench\n\nengine figures\n", encoding="utf-8")
    batch.write_section("first")
    batch.write_section("second")
    text = results.read_text(encoding="utf-8")
    assert text == "# Bench\n\nengine figures\n\n<!-- batch:start -->\nsecond\n<!-- batch:end -->\n"

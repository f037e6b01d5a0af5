"""The README keeps up with the code: every environment variable the code reads is in its configuration table, and
it links to the architecture and sandbox documents it points readers to."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("config", "core", "kb", "replay", "troubleshooter", "webex")
READS = re.compile(
    r"""(?:os\.getenv|os\.environ\.get|(?<![\w.])env(?:int|bool|list|float|str)?)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def _readme():
    return (ROOT / "README.md").read_text(encoding="utf-8")


def _configuration_table():
    text = _readme()
    start = text.index("## Configuration")
    return text[start : text.index("\n## ", start + 1)]


def variables_read():
    files = [ROOT / "gunicorn.conf.py", ROOT / "conftest.py"]
    for package in SOURCES:
        files += [p for p in (ROOT / package).rglob("*.py") if not {"migrations", "tests"} & set(p.parts)]
    found = set()
    for path in files:
        found |= set(READS.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_variable_the_code_reads_is_documented():
    table = _configuration_table()
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))
    missing = sorted(variables_read() - documented)
    assert missing == [], f"not in the README's configuration table: {missing}"


def test_the_scan_finds_what_settings_read():
    found = variables_read()
    assert {"DATABASE_URL", "SECRET_KEY", "SEARCH_CACHE_SIZE", "GUNICORN_LOG_LEVEL", "REQUIRE_BROWSER"} <= found


def test_the_readme_links_the_architecture_near_the_top():
    head = "\n".join(_readme().splitlines()[:40])
    assert "docs/architecture.md" in head
    for doc in ("docs/architecture.md", "docs/sandbox.md", "docs/performance.md", "docs/deploy.md"):
        assert (ROOT / doc).exists(), doc

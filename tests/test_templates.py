"""Template hygiene that a page test would only catch on the one page it opens."""

from pathlib import Path

from django.conf import settings


def test_no_template_holds_a_multi_line_django_comment():
    """``{# … #}`` is one line only: spread over two, Django prints it to the page (it once showed on /search/)."""
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if "{#" in line:
                assert "#}" in line[line.index("{#") :], f"{path}:{number}"

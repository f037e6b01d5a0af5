"""Logs hold none of the secret shapes an attack found (issue 23): each shape, in a message, an argument and an
extra field, goes through the configured handlers' redacting filter, and no part of the secret is written."""

import io
import logging
import uuid

import pytest

from core.logs import RedactingFilter
from webex.tests.samples import LEAKED_SHAPES


@pytest.fixture
def log_output():
    handlers = [h for h in logging.getLogger().handlers if any(isinstance(f, RedactingFilter) for f in h.filters)]
    assert handlers
    buffer = io.StringIO()
    old = [h.setStream(buffer) for h in handlers]
    yield buffer
    for handler, stream in zip(handlers, old, strict=True):
        handler.setStream(stream)


@pytest.mark.parametrize(("shape", "template"), LEAKED_SHAPES, ids=[s for s, _ in LEAKED_SHAPES])
def test_no_part_of_a_secret_is_logged(log_output, shape, template):
    secret = f"Qz{uuid.uuid4().hex[:10]}-{uuid.uuid4().hex[:10]}Vv"
    text = template.format(s=secret)
    logger = logging.getLogger("core.tests.leak")
    logger.warning("pasted " + text.replace("%", "%%"))
    logger.warning("pasted %s", text)
    logger.warning("pasted", extra={"detail": text})
    written = log_output.getvalue()
    assert written.count("pasted") == 3
    assert not [half for half in secret.split("-") if half in written], written

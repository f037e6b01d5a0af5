"""Small helpers shared by the kb tests and the other apps' tests of kb's pages (helpers of one folder live in that
folder: kb/tests/editing/helpers.py; browser helpers in kb/tests/browser.py)."""


def text_of(response):
    """A test client response's body as text."""
    return response.content.decode()

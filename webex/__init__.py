"""Everything WebEx writes, read in pure Python (no Django, nothing else of the project).

* ``answer``: one HTTP answer of the URL or XML API (:func:`read_answer`, :class:`Answer`);
* ``paste``: an answer or a request found inside any pasted text (:func:`detect`, :class:`Detection`);
* ``text``: bytes and escapes decoded, short redacted previews;
* ``urls``: the service a path names, URLs and parameters split and read;
* ``commandkeys``: how a command is written (``p.php?AT=LI``, ``XMLService:user.GetUser``);
* ``redaction``: which names carry secrets, and taking every secret out of a text (the one secret rule).

``kb``, ``replay``, ``troubleshooter`` and ``core`` import it; it imports none of them.
"""

from webex.answer import FORMS, Answer, read_answer
from webex.paste import Detection, detect
from webex.text import make_preview

__all__ = ["FORMS", "Answer", "Detection", "detect", "make_preview", "read_answer"]

"""The answer cache: recent search answers of this process, valid for one KB generation."""

import threading
from collections import OrderedDict

from kb.models import KbState


class _AnswerCache:
    """Recent answers of this process, stamped with the index generation they were computed for."""

    def __init__(self, size=512):
        self.size = size
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, token):
        with self.lock:
            hit = self.items.get(key)
            if hit is None or hit[0] != token:
                return None
            self.items.move_to_end(key)
            return hit[1]

    def put(self, key, token, value):
        with self.lock:
            self.items[key] = (token, value)
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self):
        with self.lock:
            self.items.clear()


answer_cache = _AnswerCache()


def generation():
    return KbState.current() or None

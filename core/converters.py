"""Path converters any page may use: ``<id:pk>``, a database id that never reaches a query out of range.

Django's ``<int:…>`` takes any number of digits, and a 25-digit id is a 500 on SQLite ("Python int too large") and
on PostgreSQL ("out of range"); here a number past the largest id a table holds is no match, so the page is a 404.
"""

MAX_ID = 2**31 - 1  # PostgreSQL's integer, the smallest of the id columns


class IdConverter:
    regex = "[0-9]{1,10}"

    def to_python(self, value):
        number = int(value)
        if number > MAX_ID:
            raise ValueError("id out of range")  # Django: no match, a 404
        return number

    def to_url(self, value):
        return str(value)

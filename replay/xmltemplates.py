"""A starting skeleton of an XML API request for each XML command the knowledge base knows.

Only what the catalogue supports goes in: the ``<serv:message>`` envelope, a securityContext (``webExID``, an empty
``password`` typed in its own field, ``siteName``), and a bodyContent whose ``xsi:type`` names the operation, with
the body elements the command's catalogue entry lists. Everything else comes from Cisco's XML API reference.
"""

import re
from xml.sax.saxutils import escape, quoteattr

from webex.commandkeys import split_command_key

XSI_TYPE_PREFIX = "java:com.webex.service.binding."
_ELEMENT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,60}$")


def xml_template(command, *, site_name="", partner_id="") -> str:
    """The skeleton for ``command`` (a kb Command of the XML API)."""
    _service, operation = split_command_key(command.key)
    names = [p.get("name", "") for p in command.parameters or [] if _ELEMENT_NAME.match(p.get("name", ""))]
    if names:
        body = "\n".join(f"      <{name}></{name}>" for name in names)
    else:
        body = (
            "      <!-- The knowledge base lists no body elements for this call:\n"
            "           add them from the XML API reference. -->"
        )
    partner = f"\n      <partnerID>{escape(partner_id)}</partnerID>" if partner_id else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<!-- A starting skeleton for {escape(operation)} ({escape(command.name)}): fill in the values. "
        "Leave the password element empty: type the password in its own field. -->\n"
        '<serv:message xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n'
        '              xmlns:serv="http://www.webex.com/schemas/2002/06/service">\n'
        "  <header>\n"
        "    <securityContext>\n"
        "      <webExID></webExID>\n"
        "      <password></password>\n"
        f"      <siteName>{escape(site_name)}</siteName>{partner}\n"
        "    </securityContext>\n"
        "  </header>\n"
        "  <body>\n"
        f"    <bodyContent xsi:type={quoteattr(XSI_TYPE_PREFIX + operation)}>\n"
        f"{body}\n"
        "    </bodyContent>\n"
        "  </body>\n"
        "</serv:message>\n"
    )


def _empty_element(name):
    return re.compile(rf"<(?P<tag>(?:\w+:)?{name})\s*/>|<(?P<open>(?:\w+:)?{name})>\s*</(?P=open)>")


def fill_xml(xml, *, site_name="", webex_id="") -> str:
    """``xml`` with its empty ``<siteName>`` filled from the chosen site and every empty ``<webExID>`` (the security
    context's and the body's: asked once) with ``webex_id``. Elements that hold a value are left as they are."""
    for name, value in (("siteName", site_name), ("webExID", webex_id)):
        if value:
            xml = _empty_element(name).sub(
                lambda m, v=value: f"<{m['tag'] or m['open']}>{escape(v)}</{m['tag'] or m['open']}>", xml
            )
    return xml

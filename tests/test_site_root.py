"""SITE_ROOT follows the address `make run` serves: the CLI's links and /opensearch.xml point at it."""

import os
import subprocess
from pathlib import Path

from django.core.management import call_command

from config.settings import site_root

ROOT = Path(__file__).resolve().parents[1]


def html(response):
    return response.content.decode()


def _make_n(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k != "SITE_ROOT"}
    clean.update(env)
    out = subprocess.run(["make", "-n", "run", *args], cwd=ROOT, env=clean, capture_output=True, text=True, check=True)
    return out.stdout


def test_make_run_records_the_address_it_serves():
    assert "echo 'http://127.0.0.1:8001' > .site-root" in _make_n("PORT=8001")
    assert "runserver 127.0.0.1:8001" in _make_n("PORT=8001")
    assert "echo 'http://127.0.0.1:8000' > .site-root" in _make_n()
    assert "echo 'http://127.0.0.1:8002' > .site-root" in _make_n("HOST=0.0.0.0", "PORT=8002")
    assert "echo 'https://kb.example.com' > .site-root" in _make_n("PORT=8001", SITE_ROOT="https://kb.example.com")


def test_site_root_prefers_the_environment_then_the_served_address(tmp_path):
    served = tmp_path / ".site-root"
    assert site_root({}, served) == "http://127.0.0.1:8000"
    served.write_text("http://127.0.0.1:8001\n")
    assert site_root({}, served) == "http://127.0.0.1:8001"
    assert site_root({"SITE_ROOT": "https://kb.example.com/"}, served) == "https://kb.example.com"
    served.write_text("not an address")
    assert site_root({}, served) == "http://127.0.0.1:8000"


def test_cli_links_use_site_root(kb, settings, capsys):
    settings.SITE_ROOT = "http://127.0.0.1:8001"
    call_command("explain", "AccessDenied")
    assert "http://127.0.0.1:8001/errors/AccessDenied/" in capsys.readouterr().out


def test_opensearch_uses_the_address_the_browser_asked_for(client, settings):
    settings.SITE_ROOT = "http://127.0.0.1:8000"
    settings.SITE_ROOT_CONFIGURED = False
    body = html(client.get("/opensearch.xml", HTTP_HOST="localhost:8001"))
    assert 'template="http://localhost:8001/search/?q={searchTerms}"' in body
    assert "8000" not in body
    settings.SITE_ROOT_CONFIGURED = True
    body = html(client.get("/opensearch.xml", HTTP_HOST="localhost:8001"))
    assert 'template="http://127.0.0.1:8000/search/?q={searchTerms}"' in body

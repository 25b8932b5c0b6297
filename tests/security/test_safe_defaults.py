"""Issue 9, finding 10 (in part): pages that name people are never cached; HTTPS is enforced
by the browser (HSTS) and cookies travel only over HTTPS when the service is served over it."""

import json
import os
import subprocess
import sys

import pytest

from factories import make_staff


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/?q=smith", "/people/1/"])
def test_every_page_for_signed_in_staff_is_no_store(client, url):
    client.force_login(make_staff(username="sam.nurse"))
    response = client.get(url)
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    assert {"no-store", "private"} <= directives, (url, response.get("Cache-Control"))


def _settings_under(env: dict) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_PROXY_SSL_HEADER]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "wraparound.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    secure, csrf, hsts, proxy = json.loads(out.strip().splitlines()[-1])
    return {"secure": secure, "csrf": csrf, "hsts": hsts, "proxy": proxy}


def test_https_means_secure_cookies_and_hsts_even_with_debug_on():
    on = _settings_under({"WRAPAROUND_HTTPS": "1", "WRAPAROUND_DEBUG": "1"})
    assert on["secure"] and on["csrf"]
    assert on["hsts"] >= 60 * 60 * 24 * 365
    assert on["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    off = _settings_under({"WRAPAROUND_HTTPS": "0"})
    assert not off["secure"] and off["hsts"] == 0


def test_without_a_secret_key_outside_development_the_app_refuses_to_start(tmp_path):
    """It used to fall back to the key printed in the source, so a forged cookie was accepted."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTEST_VERSION", "WRAPAROUND_SECRET_KEY", "WRAPAROUND_INSECURE_DEV_KEY"}
    }
    env |= {"WRAPAROUND_DEBUG": "0", "WRAPAROUND_VAR_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "wraparound.manage", "check"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "No secret key" in done.stderr and "WRAPAROUND_SECRET_KEY" in done.stderr
    assert "Traceback" not in done.stderr
    # A key of the installation's own, in a file only its owner reads, is used.
    (tmp_path / "secret_key").write_text("k" * 60)
    assert (
        subprocess.run(
            [sys.executable, "-m", "wraparound.manage", "check"], env=env, capture_output=True
        ).returncode
        == 0
    )

"""A real OpenID Connect provider for the single sign-on tests: the certified `oidc-provider`
npm package, started from tests/oidc/provider.mjs on a free port for each test that asks.

The package comes from the project's node_modules (a devDependency), or from the folder named by
OIDC_PROVIDER_NODE_MODULES.
"""

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from django.urls import reverse

from randers.accounts.oidc import forget_discovery

PROVIDER_SCRIPT = Path(__file__).resolve().parents[2] / "oidc" / "provider.mjs"
CLIENT_ID = "aftalestyring-tests"
CLIENT_SECRET = "a-client-secret-only-for-the-tests-0123456789"


@dataclass
class Provider:
    issuer: str
    app_url: str

    def sign_in(self, email: str, *, stop_at_callback: bool = False) -> requests.Response:
        """Start single sign-on on the app, sign in at the provider as `email` and consent;
        return the app's last answer (or the provider's redirect to the app's callback)."""
        browser = requests.Session()
        self.browser = browser
        response = browser.get(urljoin(self.app_url, reverse("accounts:oidc-start")))
        for prompt in ("login", "consent"):
            assert response.status_code == 200, response.text
            action = re.search(r'action="([^"]+)"', response.text)
            assert action, response.text
            response = browser.post(
                urljoin(response.url, action.group(1)),
                data={"prompt": prompt, "login": email, "password": "anything"},
                allow_redirects=not (stop_at_callback and prompt == "consent"),
            )
        if stop_at_callback:
            while not response.headers["Location"].startswith(self.app_url):
                response = browser.get(
                    urljoin(response.url, response.headers["Location"]), allow_redirects=False
                )
        return response


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def oidc_provider(live_server, settings) -> Iterator[Provider]:  # type: ignore[no-untyped-def]
    node = shutil.which("node")
    assert node, "Node.js is needed for the OpenID Connect provider of the tests"
    port = _free_port()
    callback = urljoin(live_server.url, reverse("accounts:oidc-callback"))
    process = subprocess.Popen(
        [node, str(PROVIDER_SCRIPT), str(port), CLIENT_ID, CLIENT_SECRET, callback],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NODE_ENV": "development"},
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read() if process.stdout else ""
                    pytest.fail(
                        f"The OpenID Connect provider did not start:\n{output}", pytrace=False
                    )
                time.sleep(0.1)
        settings.OIDC_ENABLED = True
        settings.OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        settings.OIDC_ISSUER = issuer
        settings.AUTHENTICATION_BACKENDS = [
            *settings.AUTHENTICATION_BACKENDS,
            "randers.accounts.oidc.OIDCBackend",
        ]
        forget_discovery()
        yield Provider(issuer=issuer, app_url=live_server.url)
    finally:
        forget_discovery()
        process.terminate()
        process.wait(timeout=10)

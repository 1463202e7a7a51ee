"""Single sign-on is configured by environment: off by default, refused at boot when half-set."""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[3]
PRINT = (
    "import json, randers.settings as s; print(json.dumps([s.OIDC_ENABLED, "
    "s.OIDC_RP_CLIENT_SECRET, s.OIDC_ISSUER, s.OIDC_EMAIL_CLAIM, s.AUTHENTICATION_BACKENDS]))"
)


def _boot(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_")}
    return subprocess.run(
        [sys.executable, "-c", PRINT],
        env={**clean, "SECRET_KEY": "x" * 50, **env},
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def test_single_sign_on_is_off_unless_configured():
    result = _boot()
    enabled, _secret, _issuer, claim, backends = json.loads(result.stdout)
    assert enabled is False
    assert claim == "email"
    assert "randers.accounts.oidc.OIDCBackend" not in backends


def test_client_id_with_secret_file_and_issuer_turns_single_sign_on_on(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    result = _boot(
        OIDC_CLIENT_ID="aftalestyring",
        OIDC_CLIENT_SECRET_FILE=str(secret),
        OIDC_ISSUER="https://login.microsoftonline.com/tenant/v2.0/",
        OIDC_EMAIL_CLAIM="preferred_username",
    )
    enabled, client_secret, issuer, claim, backends = json.loads(result.stdout)
    assert (enabled, client_secret, issuer, claim) == (
        True,
        "s3cret",
        "https://login.microsoftonline.com/tenant/v2.0",
        "preferred_username",
    )
    assert backends[1] == "randers.accounts.oidc.OIDCBackend"


def test_client_id_without_secret_stops_the_boot():
    result = _boot(OIDC_CLIENT_ID="aftalestyring", OIDC_ISSUER="https://idp.example")
    assert result.returncode == 1
    assert "OIDC_CLIENT_SECRET is required too" in result.stderr


def test_client_id_without_issuer_or_endpoints_stops_the_boot():
    result = _boot(
        OIDC_CLIENT_ID="aftalestyring",
        OIDC_CLIENT_SECRET="s",
        OIDC_TOKEN_ENDPOINT="https://idp.example/token",
    )
    assert result.returncode == 1
    assert "give OIDC_ISSUER, or all of OIDC_AUTHORIZATION_ENDPOINT" in result.stderr

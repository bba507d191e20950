"""Production refuses to start with no secret key, or the public development one."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from banyan.core import keyfile

BASE_DIR = Path(__file__).resolve().parents[3]
DOT_ENV = BASE_DIR / ".env"

pytestmark = pytest.mark.skipif(
    DOT_ENV.exists() and "SECRET_KEY" in DOT_ENV.read_text(encoding="utf-8", errors="replace"),
    reason="this checkout's .env sets SECRET_KEY for every start",
)
BOOT = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"


def boot(tmp_path, **env):
    """Start Django with the production settings and nothing but `env` configured."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "SECRET_KEY_FILE", "DEBUG", "BANYAN_VAR_DIR"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="banyan.settings", BANYAN_VAR_DIR=str(tmp_path / "var"), **env
    )
    return subprocess.run(
        [sys.executable, "-c", BOOT],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    refused = boot(tmp_path)

    assert refused.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set, and DEBUG is off." in refused.stderr
    assert "Set SECRET_KEY in the environment" in refused.stderr


def test_production_refuses_the_published_development_key(tmp_path):
    refused = boot(tmp_path, SECRET_KEY=keyfile.DEVELOPMENT_KEY)

    assert refused.returncode != 0
    assert "SECRET_KEY is the development key published with Banyan CRM" in refused.stderr


def test_production_starts_with_a_key_from_the_environment_or_the_key_file(tmp_path):
    started = boot(tmp_path, SECRET_KEY="a-real-key-" + "x" * 40)
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "a-real-key-" + "x" * 40

    # what `make run` does first: a random key in var/secret_key, then used from there
    path = tmp_path / "var" / "secret_key"
    assert keyfile.create_key_file(path)
    key = path.read_text().strip()
    assert len(key) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not keyfile.create_key_file(path)  # kept on the next run
    assert path.read_text().strip() == key
    started = boot(tmp_path)
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == key


def test_a_named_key_file_that_is_missing_is_refused(tmp_path):
    refused = boot(tmp_path, SECRET_KEY_FILE=str(tmp_path / "nowhere"))

    assert refused.returncode != 0
    assert f"The secret key file {tmp_path / 'nowhere'} cannot be read" in refused.stderr


def test_debug_starts_with_the_development_key(tmp_path):
    started = boot(tmp_path, DEBUG="true")

    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == keyfile.DEVELOPMENT_KEY

"""The install's secret key: `SECRET_KEY`, else a key file, else (DEBUG only) a public key.

Production refuses to start without a real key: the development key is public, and with it
anyone can forge sessions and signed values. `make run` creates a random key in
`var/secret_key` on its first run (`python -m banyan.core.keyfile`), so the embedded install
needs no setup and keeps its key across restarts.
"""

import os
import secrets
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

FILE_NAME = "secret_key"
DEVELOPMENT_KEY = "banyan-local-development-key-not-secret"
# Keys published in this repository, never accepted in production.
PUBLIC_KEYS = {DEVELOPMENT_KEY, "banyan-local-development-key-change-me-in-production"}

HOW_TO_SET = (
    "Set SECRET_KEY in the environment (or in .env) to a long random value, e.g. the output "
    'of `python -c "import secrets; print(secrets.token_urlsafe(50))"`, or name a file '
    "holding it with SECRET_KEY_FILE (default: {path}). `make run` creates that file itself."
)


def key_file_path(env, var_dir: Path) -> Path:
    return Path(env.str("SECRET_KEY_FILE", default="") or var_dir / FILE_NAME)


def secret_key(env, var_dir: Path, *, debug: bool) -> str:
    """The key for settings.SECRET_KEY, or ImproperlyConfigured saying how to set one."""
    key = env.str("SECRET_KEY", default="").strip()
    path = key_file_path(env, var_dir)
    if not key and (env.str("SECRET_KEY_FILE", default="") or path.is_file()):
        try:
            key = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"The secret key file {path} cannot be read ({exc.strerror})."
            ) from exc
    if key and (debug or key not in PUBLIC_KEYS):
        return key
    if debug:
        return DEVELOPMENT_KEY
    problem = (
        "SECRET_KEY is the development key published with Banyan CRM, and DEBUG is off."
        if key
        else "SECRET_KEY is not set, and DEBUG is off."
    )
    raise ImproperlyConfigured(f"{problem} {HOW_TO_SET.format(path=path)}")


def create_key_file(path: Path) -> bool:
    """Write a new random key to `path`, readable by its owner only, unless the file exists.
    True when it was written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(secrets.token_urlsafe(50) + "\n")
    return True


def main() -> int:
    """`make run`'s first step: a key file for this install unless SECRET_KEY is set."""
    import environ

    base_dir = Path(__file__).resolve().parent.parent.parent
    env = environ.Env()
    environ.Env.read_env(base_dir / ".env", overwrite=False)
    if env.str("SECRET_KEY", default=""):
        return 0
    var_dir = Path(env.str("BANYAN_VAR_DIR", default=str(base_dir / "var")))  # as in settings
    path = key_file_path(env, var_dir)
    if create_key_file(path):
        print(f"Created a random secret key in {path} (keep it: sessions depend on it).")
    return 0


if __name__ == "__main__":
    sys.exit(main())

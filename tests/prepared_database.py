"""The test database, migrated once and copied (Zulip's prepared test database).

Running every migration takes about 25 s of CPU, most of it Django rebuilding the models'
state after each operation, and every pytest process (each xdist worker, on each database)
used to pay it. Instead the first process to need a database migrates a template, and every
process's test database is a copy of it:

- SQLite: the template is a file in var/test-databases/, copied into the worker's in-memory
  database with SQLite's backup API;
- PostgreSQL: the template is the database `<test database>_template`, copied with
  `CREATE DATABASE … TEMPLATE` (the key is its comment).

The template is named by a key: a hash of every installed app's migration files, Django's
version, the database's version and this file. A migration added, changed or removed makes a
new key, so the next run migrates a new template; the same migrations reuse the template of
the last run. An exclusive lock on a file next to the templates lets only one process
migrate; the others wait and copy. `pytest --create-db` migrates a template for that run alone;
`BANYAN_TEST_TEMPLATE=0` (or `--reuse-db`, `--nomigrations`) turns all of this off.
"""

import contextlib
import fcntl
import hashlib
import os
import sqlite3
import uuid
from importlib import import_module
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connections

ENABLED = os.environ.get("BANYAN_TEST_TEMPLATE", "1") != "0"


def templates_dir() -> Path:
    path = Path(settings.VAR_DIR) / "test-databases"
    path.mkdir(parents=True, exist_ok=True)
    return path


def migration_files():
    """(app label, path) of every migration file of every installed app, as `migrate` reads them."""
    for app_config in sorted(apps.get_app_configs(), key=lambda config: config.label):
        module_name = settings.MIGRATION_MODULES.get(
            app_config.label, f"{app_config.name}.migrations"
        )
        if module_name is None:
            continue
        try:
            module = import_module(module_name)
        except ImportError:
            continue
        for directory in getattr(module, "__path__", []):
            for path in sorted(Path(directory).glob("*.py")):
                yield app_config.label, path


def database_version(connection) -> str:
    if connection.vendor == "postgresql":
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]
    return sqlite3.sqlite_version


def key(connection, fresh: bool) -> str:
    """What the migrated database depends on, hashed: a change in any part makes a new template.
    `fresh`: a key of this run alone (its xdist workers share it)."""
    digest = hashlib.sha256()
    if fresh:
        digest.update(os.environ.get("PYTEST_XDIST_TESTRUNUID", str(uuid.uuid4())).encode())
    digest.update(django.get_version().encode())
    digest.update(f"{connection.vendor} {database_version(connection)}".encode())
    digest.update(Path(__file__).read_bytes())
    for label, path in migration_files():
        digest.update(f"{label}/{path.name}\0".encode())
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def locked(name: str):
    """Only one process at a time: the first migrates, the others wait and then copy."""
    with open(templates_dir() / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _finish(connection, test_database_name, serialize):
    """What `create_test_db` does after migrating, on the copied database."""
    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = test_database_name
    connection.settings_dict["NAME"] = test_database_name
    if serialize:
        connection._test_serialized_contents = connection.creation.serialize_db_to_string()
    call_command("createcachetable", database=connection.alias)
    connection.ensure_connection()
    return test_database_name


class SqliteTemplate:
    def __init__(self, connection, fresh):
        self.connection = connection
        self.fresh = fresh

    def create_test_db(self, migrate, verbosity, autoclobber, serialize, keepdb):
        connection = self.connection
        self.path = templates_dir() / f"sqlite-{key(connection, self.fresh)}.sqlite3"
        with locked("sqlite"):
            if not self.path.exists():
                name = migrate(verbosity, autoclobber, serialize=serialize, keepdb=keepdb)
                for old in self.path.parent.glob("sqlite-*.sqlite3"):
                    old.unlink()
                partial = self.path.with_suffix(f".{os.getpid()}.partial")
                target = sqlite3.connect(partial)
                connection.ensure_connection()
                connection.connection.backup(target)
                target.close()
                partial.replace(self.path)
                return name
        test_database_name = connection.creation._create_test_db(verbosity, autoclobber, keepdb)
        connection.close()
        connection.settings_dict["NAME"] = test_database_name
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return _finish(connection, test_database_name, serialize)


class PostgresTemplate:
    def __init__(self, connection, fresh, worker):
        self.connection = connection
        self.fresh = fresh
        self.suffix = f"_{worker}" if worker else ""

    def create_test_db(self, migrate, verbosity, autoclobber, serialize, keepdb):
        connection = self.connection
        template_key = key(connection, self.fresh)
        creation = connection.creation
        test_database_name = creation._get_test_db_name()
        template = f"{test_database_name.removesuffix(self.suffix)}_template"
        quote = connection.ops.quote_name
        with locked(template):
            with creation._nodb_cursor() as cursor:
                cursor.execute(
                    "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
                    " WHERE datname = %s",
                    [template],
                )
                row = cursor.fetchone()
            if row is None or row[0] != template_key:
                test_settings = connection.settings_dict["TEST"]
                test_settings["NAME"], worker_name = template, test_settings["NAME"]
                try:
                    migrate(verbosity, autoclobber=True, serialize=False, keepdb=False)
                finally:
                    test_settings["NAME"] = worker_name
                connection.close()
                with creation._nodb_cursor() as cursor:
                    cursor.execute(f"COMMENT ON DATABASE {quote(template)} IS %s", [template_key])
            with creation._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(test_database_name)}")
                cursor.execute(
                    f"CREATE DATABASE {quote(test_database_name)} TEMPLATE {quote(template)}"
                )
        return _finish(connection, test_database_name, serialize)


def install(config) -> bool:
    """Make each test database a copy of a migrated template (see above); False when off.
    Called once the xdist worker's suffix is on the test databases' names."""
    option = config.option
    if not ENABLED or getattr(option, "reuse_db", False) or getattr(option, "nomigrations", False):
        return False
    fresh = bool(getattr(option, "create_db", False))
    for alias in connections:
        connection = connections[alias]
        if connection.vendor == "sqlite":
            template = SqliteTemplate(connection, fresh)
        elif connection.vendor == "postgresql":
            worker = getattr(config, "workerinput", {}).get("workerid")
            template = PostgresTemplate(connection, fresh, worker)
        else:
            continue
        migrate = connection.creation.create_test_db

        def create_test_db(
            verbosity=1,
            autoclobber=False,
            serialize=True,
            keepdb=False,
            template=template,
            migrate=migrate,
        ):
            if keepdb:
                return migrate(verbosity, autoclobber, serialize, keepdb)
            return template.create_test_db(migrate, verbosity, autoclobber, serialize, keepdb)

        connection.creation.create_test_db = create_test_db
    return True

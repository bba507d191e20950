"""The benchmark's databases: one per scale on PostgreSQL, reused while its seed marker says
it was finished at that scale."""

import os

SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def database_name(scale: float) -> str:
    """banyan_bench_s0_1 for SCALE=0.1, banyan_bench_s1 for SCALE=1."""
    text = f"{scale:g}".replace(".", "_").replace("-", "m")
    return f"banyan_bench_s{text}"


def database_url(scale: float) -> str:
    return f"{SERVER}/{database_name(scale)}"


def _admin():
    import psycopg

    return psycopg.connect(f"{SERVER}/postgres", autocommit=True)


def exists(name: str) -> bool:
    with _admin() as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return found.fetchone() is not None


def create(name: str, *, drop_first: bool = False) -> None:
    from psycopg import sql

    with _admin() as connection:
        if drop_first:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def server_version() -> str:
    with _admin() as connection:
        return connection.execute("SHOW server_version").fetchone()[0]

"""A throwaway PostgreSQL cluster for the database import tests (no mock).

``initdb`` + ``pg_ctl`` from Debian's ``postgresql`` package, in a temp dir,
listening only on a unix socket inside it, password authentication
(scram-sha-256) so the tests exercise real credential handling. initdb
refuses to run as root, so as root the cluster is run as ``nobody`` (setpriv).
When the binaries are absent the tests skip, naming the package to install.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SUPERUSER = "curator"
PASSWORD = "pw-Xq7-never-stored"  # searched for in every workspace file by the tests
DATABASE = "helpdesk"
INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl) not found; install Debian's package: "
    "apt-get install -y postgresql"
)


def server_bin() -> Path | None:
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(d) / "initdb").exists() and (Path(d) / "pg_ctl").exists():
            return Path(d)
    return None


@dataclass
class PgServer:
    socket_dir: Path
    bin: Path

    def url(self, db: str = DATABASE, *, password: str | None = None) -> str:
        auth = f"{SUPERUSER}:{password}" if password else SUPERUSER
        return f"postgresql://{auth}@/{db}?host={self.socket_dir}"

    def connect(self, db: str = DATABASE):  # type: ignore[no-untyped-def]
        import psycopg

        return psycopg.connect(self.url(db), password=PASSWORD, autocommit=True)


def _as_postgres_user(home: Path) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "HOME": str(home), "LC_ALL": "C"}
    env.pop("PGPASSWORD", None)
    if os.geteuid() != 0:
        return [], env
    nobody = pwd.getpwnam("nobody")
    os.chown(home, nobody.pw_uid, nobody.pw_gid)
    return [
        "setpriv",
        f"--reuid={nobody.pw_uid}",
        f"--regid={nobody.pw_gid}",
        "--clear-groups",
    ], env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    if done.returncode:
        raise RuntimeError(
            f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip()[-800:]}"
        )


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    bin_dir = server_bin()
    if bin_dir is None:
        pytest.skip(INSTALL_HINT)
    home = Path(tempfile.mkdtemp(prefix="curator-pg-"))
    prefix, env = _as_postgres_user(home)
    data = home / "data"
    pwfile = home / "pw"
    pwfile.write_text(PASSWORD + "\n")
    if prefix:
        nobody = pwd.getpwnam("nobody")
        os.chown(pwfile, nobody.pw_uid, nobody.pw_gid)
    try:
        _run(
            [
                *prefix,
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                "-A",
                "scram-sha-256",
                f"--pwfile={pwfile}",
                "-E",
                "UTF8",
                "--no-sync",
                "--no-instructions",
            ],
            env,
        )
        opts = f"-k {home} -c listen_addresses='' -F -c fsync=off"
        _run(
            [
                *prefix,
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(home / "log"),
                "-w",
                "-o",
                opts,
                "start",
            ],
            env,
        )
        server = PgServer(home, bin_dir)
        with server.connect("postgres") as con:
            con.execute(f"CREATE DATABASE {DATABASE}")
        yield server
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
                env=env,
                timeout=60,
            )
        shutil.rmtree(home, ignore_errors=True)

#!/usr/bin/env python3
"""Vérifie qu'une sauvegarde PostgreSQL de Parcours se restaure à l'identique.

    DATABASE_URL=postgres://parcours@127.0.0.1:5432/parcours python scripts/backup_restore_check.py

1. ouvre sur la base de DATABASE_URL une transaction en lecture seule (REPEATABLE READ) et en exporte
   l'instantané : la sauvegarde et les empreintes de la source voient exactement les mêmes données, même si
   l'application écrit pendant la vérification ;
2. sauvegarde la base avec `pg_dump -Fc --snapshot=…` (binaires trouvés dans le PATH ou dans
   /usr/lib/postgresql/*/bin, d'une version au moins égale à celle du serveur) ;
3. crée une base de travail, y restaure la sauvegarde avec `pg_restore --exit-on-error --single-transaction` ;
4. compare, pour chaque table du schéma public, le nombre de lignes et une empreinte des lignes
   (md5 des md5 de chaque ligne, triés : indépendant de l'ordre physique et de la collation), ainsi que
   la liste des index, contraintes, déclencheurs, vues, fonctions et séquences ; vérifie que chaque séquence
   restaurée est au-delà des identifiants restaurés (sinon la première insertion échouerait) ;
5. avec `--documents-dir DOSSIER` (les pièces déposées, PARCOURS_DOCUMENTS_DIR) : archive le dossier
   (tar), restaure l'archive dans un dossier de travail et compare la liste des fichiers et l'empreinte
   SHA-256 de chacun ; avec un stockage objet (PARCOURS_S3_*), DOSSIER est une copie du préfixe du
   compartiment (`rclone sync` ou `aws s3 sync`, même arborescence ab/abcd…, voir docs/deploy/scaling.md) ;
6. avec `--decrypt` : dans un processus Django lancé sur la base restaurée (et les pièces restaurées, lues
   dans le dossier restauré et jamais dans le stockage objet en service), avec
   les clés de l'environnement de l'application, déchiffre chaque valeur de chaque colonne chiffrée et
   chaque pièce, et compare l'empreinte SHA-256 de chaque pièce déchiffrée à celle enregistrée lors du
   dépôt : une sauvegarde restaurable mais indéchiffrable (clés perdues, fichiers manquants) est une
   différence ;
7. affiche un tableau en français, supprime la base de travail, le fichier de sauvegarde et l'archive (même
   en cas d'erreur ou d'interruption) et sort avec le code 0 (identique), 1 (différences) ou 2 (erreur).

Aucune donnée n'est affichée : seulement des noms de tables, des nombres de lignes et des empreintes.
`--keep-dump FICHIER` et `--keep-documents FICHIER` conservent la sauvegarde et l'archive vérifiées (droits
0600) pour qu'une tâche planifiée les chiffre et les archive (voir docs/operations/backup.md). Dépendances :
bibliothèque standard et psycopg ; `--decrypt` lance en plus l'application (Django, ses clés).
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

ROOT = Path(__file__).resolve().parent.parent

OK, DIFFERENT, ERROR = 0, 1, 2
SCHEMA = "public"
# Text forms of dates, floats, intervals and bytea depend on session settings: fix them on both sides.
SESSION_SETTINGS = (
    "SET TIME ZONE 'UTC'",
    "SET DateStyle TO 'ISO, YMD'",
    "SET IntervalStyle TO 'postgres'",
    "SET extra_float_digits TO 3",
    "SET bytea_output TO 'hex'",
)


class CheckError(Exception):
    """An operational failure (unreachable server, missing binary, failed dump or restore)."""


# --- Connection and binaries -------------------------------------------------------------------------
def connection_params(url: str) -> dict[str, str]:
    if not re.match(r"^postgres(ql)?://", url):
        raise CheckError("DATABASE_URL ne désigne pas une base PostgreSQL (postgres://…).")
    params = {k: str(v) for k, v in conninfo_to_dict(url).items() if v is not None}
    if not params.get("dbname"):
        raise CheckError("DATABASE_URL ne nomme pas de base de données.")
    return params


def libpq_target(params: dict[str, str], dbname: str) -> tuple[str, dict[str, str]]:
    """A conninfo string for the command-line tools, and their environment: the password travels in
    PGPASSWORD, never on a command line that `ps` would show."""
    env = dict(os.environ)
    visible = {k: v for k, v in params.items() if k != "password"}
    visible["dbname"] = dbname
    if "password" in params:
        env["PGPASSWORD"] = params["password"]
    return make_conninfo(**visible), env


def connect(params: dict[str, str], dbname: str | None = None, **kwargs) -> psycopg.Connection:
    return psycopg.connect(**{**params, "dbname": dbname or params["dbname"]}, connect_timeout=10, **kwargs)


def binary_major(path: str) -> int | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout  # noqa: S603
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", out)
    return int(found.group(1)) if found else None


def _dir_version(path: str) -> float:
    found = re.search(r"/postgresql/(\d+(?:\.\d+)?)/", path)
    return float(found.group(1)) if found else 0.0


def find_binary(name: str, server_major: int | None = None) -> str | None:
    """`name` from the PATH, else the newest /usr/lib/postgresql/*/bin/`name`, of a version able to read the
    server (pg_dump refuses a server newer than itself)."""
    candidates = [p for p in [shutil.which(name)] if p]
    candidates += sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_dir_version, reverse=True)
    for path in candidates:
        major = binary_major(path)
        if major is not None and (server_major is None or major >= server_major):
            return path
    return None


# --- What is compared --------------------------------------------------------------------------------
@dataclass
class Inventory:
    tables: dict[str, tuple[int, str]] = field(default_factory=dict)  # table -> (rows, checksum)
    objects: dict[str, set[str]] = field(default_factory=dict)  # kind -> names


OBJECT_QUERIES = {
    "index": """SELECT tablename || '.' || indexname FROM pg_indexes WHERE schemaname = %(s)s""",
    "contraintes": """SELECT c.conrelid::regclass::text || '.' || c.conname FROM pg_constraint c
                      JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = %(s)s""",
    "déclencheurs": """SELECT t.tgrelid::regclass::text || '.' || t.tgname FROM pg_trigger t
                       JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                       WHERE NOT t.tgisinternal AND n.nspname = %(s)s""",
    "vues": """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE c.relkind IN ('v', 'm') AND n.nspname = %(s)s""",
    "fonctions": """SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
                    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %(s)s""",
    "séquences": """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE c.relkind = 'S' AND n.nspname = %(s)s""",
}


def prepare_session(conn: psycopg.Connection) -> None:
    for statement in SESSION_SETTINGS:
        conn.execute(statement)


def table_names(conn: psycopg.Connection) -> list[str]:
    rows = conn.execute(
        """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind IN ('r', 'p') AND n.nspname = %s ORDER BY c.relname""",
        [SCHEMA],
    ).fetchall()
    return [r[0] for r in rows]


def table_checksum(conn: psycopg.Connection, table: str) -> tuple[int, str]:
    """Row count and md5 of the sorted md5 of every row's text form: the same rows give the same checksum
    whatever their physical order; sorting hex digests needs no collation."""
    query = sql.SQL(
        "SELECT count(*), md5(coalesce(string_agg(h, '' ORDER BY h), '')) "
        "FROM (SELECT md5(t::text) AS h FROM {}.{} AS t) AS rows"
    ).format(sql.Identifier(SCHEMA), sql.Identifier(table))
    count, checksum = conn.execute(query).fetchone()
    return int(count), checksum


def inventory(conn: psycopg.Connection) -> Inventory:
    inv = Inventory()
    for table in table_names(conn):
        inv.tables[table] = table_checksum(conn, table)
    for kind, query in OBJECT_QUERIES.items():
        inv.objects[kind] = {r[0] for r in conn.execute(query, {"s": SCHEMA}).fetchall()}
    return inv


def lagging_sequences(conn: psycopg.Connection) -> tuple[int, list[str]]:
    """Sequences owned by a column (serial or identity) whose next value would collide with a restored id."""
    owned = conn.execute(
        """SELECT s.relname, t.relname, a.attname
           FROM pg_class s
           JOIN pg_namespace n ON n.oid = s.relnamespace
           JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass
                            AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
           JOIN pg_class t ON t.oid = d.refobjid
           JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
           WHERE s.relkind = 'S' AND n.nspname = %s ORDER BY s.relname""",
        [SCHEMA],
    ).fetchall()
    lagging = []
    for seq, table, column in owned:
        last, called = conn.execute(
            sql.SQL("SELECT last_value, is_called FROM {}.{}").format(
                sql.Identifier(SCHEMA), sql.Identifier(seq)
            )
        ).fetchone()
        highest = conn.execute(
            sql.SQL("SELECT max({}) FROM {}.{}").format(
                sql.Identifier(column), sql.Identifier(SCHEMA), sql.Identifier(table)
            )
        ).fetchone()[0]
        following = last + 1 if called else last
        if highest is not None and following <= highest:
            lagging.append(f"{seq} (prochaine valeur {following}, identifiant maximal {highest})")
    return len(owned), lagging


# --- The documents folder ----------------------------------------------------------------------------
def archive_documents(folder: Path, archive: Path) -> dict[str, str]:
    """Archive every file of `folder` into `archive` (tar, 0600); returns {relative path: SHA-256} of the
    bytes archived (read once: what is hashed is what is archived)."""
    digests = {}
    with open(archive, "xb") as raw:
        archive.chmod(0o600)
        with tarfile.open(fileobj=raw, mode="w") as tar:
            for path in sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []:
                data = path.read_bytes()
                name = path.relative_to(folder).as_posix()
                info = tarfile.TarInfo(name)
                info.size, info.mode, info.mtime = len(data), 0o600, int(path.stat().st_mtime)
                tar.addfile(info, io.BytesIO(data))
                digests[name] = hashlib.sha256(data).hexdigest()
    return digests


def restore_documents(archive: Path, folder: Path) -> dict[str, str]:
    folder.mkdir(mode=0o700)
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")  # no absolute path, no "..", no link out of the folder
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def report_documents(source: dict[str, str], restored: dict[str, str], out) -> int:
    missing = sorted(source.keys() - restored.keys())
    extra = sorted(restored.keys() - source.keys())
    changed = sorted(n for n in source.keys() & restored.keys() if source[n] != restored[n])
    line = f"Pièces déposées : {len(source)} fichier(s) archivé(s), {len(restored)} restauré(s)"
    if missing or extra or changed:
        print(
            f"{line} — DIFFÉRENCE : {len(missing)} manquant(s), {len(extra)} en trop, "
            f"{len(changed)} d'empreinte différente.",
            file=out,
        )
        return 1
    print(f"{line} — empreintes SHA-256 identiques.", file=out)
    return 0


# --- Decryption of the restored copy, in a Django child process ---------------------------------------
def decrypt_restored(url: str, scratch: str, documents: Path | None) -> dict:
    """Run this script with --decrypt-child on the restored database (and documents): the keys are those of
    this process's environment (PARCOURS_ENCRYPTION_KEYS, or the data folder's keys)."""
    env = dict(os.environ)
    # The same server and account, the scratch database; in the environment, never on a command line.
    env["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/{scratch}"))
    env.setdefault("DJANGO_SETTINGS_MODULE", "parcours.settings")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p)
    args = [sys.executable, str(Path(__file__).resolve()), "--decrypt-child"]
    if documents is not None:
        env["PARCOURS_DOCUMENTS_DIR"] = str(documents)
        # The restored folder, never the live object store the application's environment may name.
        for name in [k for k in env if k.startswith("PARCOURS_S3_")]:
            del env[name]
        args.append("--with-documents")
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise CheckError(
            f"le déchiffrement de la base restaurée n'a pas pu être lancé :\n{done.stderr.strip()}"
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _decrypt_child(with_documents: bool) -> dict:
    """Every encrypted value of every row, and every document, decrypted through the application. Only
    counts leave this function (nothing decrypted is printed)."""
    import django

    django.setup()
    from django.apps import apps

    from parcours.core.crypto import DecryptionError
    from parcours.core.fields import EncryptedMixin

    result = {"tables": 0, "values": 0, "failed_rows": 0, "documents": 0, "documents_failed": 0}
    for model in apps.get_models():
        names = [f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]
        if not names:
            continue
        result["tables"] += 1
        manager = model._base_manager
        for pk in manager.order_by("pk").values_list("pk", flat=True).iterator():
            try:
                row = manager.filter(pk=pk).values_list(*names).get()
            except DecryptionError:
                result["failed_rows"] += 1
                continue
            result["values"] += sum(v not in (None, "") for v in row)
    if with_documents:
        from parcours.records import files
        from parcours.records.models import Document

        for name, sha256 in Document.objects.order_by("pk").values_list("storage_name", "sha256"):
            result["documents"] += 1
            try:
                ok = hashlib.sha256(files.read(name)).hexdigest() == sha256
            except (OSError, DecryptionError):
                ok = False
            result["documents_failed"] += not ok
    return result


def report_decryption(found: dict, out) -> int:
    problems = found["failed_rows"] + found["documents_failed"]
    line = (
        f"Déchiffrement après restauration : {found['values']} valeur(s) chiffrée(s) dans {found['tables']} "
        f"table(s), {found['failed_rows']} ligne(s) indéchiffrable(s)"
    )
    if "with_documents" in found:
        line += (
            f" ; {found['documents']} pièce(s), {found['documents_failed']} indéchiffrable(s), manquante(s) "
            "ou d'empreinte différente de celle du dépôt"
        )
    print(line + (" — ÉCHEC." if problems else " — tout se déchiffre."), file=out)
    return problems


# --- The check ---------------------------------------------------------------------------------------
def scratch_name(source: str) -> str:
    """verif_<source>_<random>: at most 53 characters (PostgreSQL keeps 63), tied to its source."""
    return f"verif_{source[:40]}_{secrets.token_hex(3)}"


def run_tool(args: list[str], env: dict[str, str], what: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise CheckError(f"{what} a échoué (code {done.returncode}) :\n{done.stderr.strip()}")
    return time.perf_counter() - started


def create_scratch(admin: psycopg.Connection, name: str) -> None:
    encoding, collate, ctype = admin.execute(
        "SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database "
        "WHERE datname = current_database()"
    ).fetchone()
    admin.execute(
        sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING {} LC_COLLATE {} LC_CTYPE {}").format(
            sql.Identifier(name), sql.Literal(encoding), sql.Literal(collate), sql.Literal(ctype)
        )
    )


def drop_database(admin: psycopg.Connection, name: str) -> None:
    force = " WITH (FORCE)" if admin.info.server_version >= 130000 else ""
    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}" + force).format(sql.Identifier(name)))


def human_size(n: int) -> str:
    for unit in ("o", "Ko", "Mo", "Go"):
        if n < 1024 or unit == "Go":
            return f"{n:.0f} {unit}" if unit == "o" else f"{n:.1f} {unit}".replace(".", ",")
        n /= 1024
    return ""


def fr_seconds(seconds: float) -> str:
    return f"{seconds:.1f} s".replace(".", ",")


def fr_int(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def report(source: Inventory, restored: Inventory, seq_count: int, lagging: list[str], out) -> bool:
    """Print the French table of results; True when everything is identical."""
    names = sorted(set(source.tables) | set(restored.tables))
    width = max([len("Table"), *map(len, names)])
    header = (
        f"{'Table':<{width}}  {'Lignes (source)':>15}  {'Lignes (restaurée)':>18}  {'Empreinte':<9}  Résultat"
    )
    print(header, file=out)
    print("-" * len(header), file=out)
    differences = 0
    for name in names:
        src, dst = source.tables.get(name), restored.tables.get(name)
        if src is None:
            verdict, shown = "EN TROP dans la restauration", dst[1][:8]
        elif dst is None:
            verdict, shown = "ABSENTE de la restauration", src[1][:8]
        elif src != dst:
            verdict, shown = "DIFFÉRENTE", f"{src[1][:4]}≠{dst[1][:4]}"
        else:
            verdict, shown = "identique", src[1][:8]
        differences += verdict != "identique"
        rows_src = str(src[0]) if src else "—"
        rows_dst = str(dst[0]) if dst else "—"
        print(f"{name:<{width}}  {rows_src:>15}  {rows_dst:>18}  {shown:<9}  {verdict}", file=out)
    print("", file=out)
    for kind in OBJECT_QUERIES:
        missing = source.objects[kind] - restored.objects[kind]
        extra = restored.objects[kind] - source.objects[kind]
        line = (
            f"{kind.capitalize()} : {len(source.objects[kind])} dans la source, "
            f"{len(restored.objects[kind])} dans la restauration"
        )
        if missing or extra:
            differences += 1
            line += f" — DIFFÉRENCE : manquant(e)s {sorted(missing)}, en trop {sorted(extra)}"
        else:
            line += " — identiques"
        print(line, file=out)
    if lagging:
        differences += len(lagging)
        print(f"Séquences en retard sur les identifiants restaurés : {', '.join(lagging)}", file=out)
    else:
        print(
            f"Valeurs des séquences : {seq_count} vérifiées, aucune en retard sur les identifiants "
            "restaurés.",
            file=out,
        )
    total = sum(rows for rows, _ in source.tables.values())
    print("", file=out)
    if differences:
        print(f"RÉSULTAT : {differences} différence(s) entre la base et sa restauration.", file=out)
    else:
        print(
            f"RÉSULTAT : sauvegarde restaurée à l'identique ({len(names)} tables, {fr_int(total)} lignes).",
            file=out,
        )
    return differences == 0


def check(
    url: str,
    keep_dump: Path | None = None,
    out=sys.stdout,
    *,
    documents_dir: Path | None = None,
    keep_documents: Path | None = None,
    decrypt: bool = False,
) -> int:
    params = connection_params(url)
    source_db = params["dbname"]
    try:
        source = connect(params)
    except psycopg.OperationalError as exc:
        raise CheckError(f"Connexion impossible à la base « {source_db} » : {exc}") from exc
    workdir = Path(tempfile.mkdtemp(prefix="parcours-verif-"))  # mode 0700: the dump holds everything
    admin = None
    scratch = scratch_name(source_db)
    created = False
    try:
        server_major = source.info.server_version // 10000
        pg_dump, pg_restore = find_binary("pg_dump", server_major), find_binary("pg_restore", server_major)
        if not pg_dump or not pg_restore:
            raise CheckError(
                f"pg_dump ou pg_restore de version {server_major} ou plus introuvable "
                "(PATH, /usr/lib/postgresql/*/bin) : apt-get install postgresql-client."
            )
        dump = workdir / "parcours.dump"
        # One snapshot for the dump and the source's checksums: writes during the check change neither.
        source.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        source.read_only = True
        prepare_session(source)
        snapshot = source.execute("SELECT pg_export_snapshot()").fetchone()[0]
        target, env = libpq_target(params, source_db)
        dump_seconds = run_tool(
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dump}", f"--dbname={target}"],
            env,
            "pg_dump",
        )
        source_inv = inventory(source)
        source.rollback()
        if documents_dir is not None:
            documents_archive = workdir / "documents.tar"
            documents_seconds = time.perf_counter()
            source_docs = archive_documents(documents_dir, documents_archive)
            documents_seconds = time.perf_counter() - documents_seconds

        admin = connect(params, autocommit=True)
        create_scratch(admin, scratch)
        created = True
        target, env = libpq_target(params, scratch)
        restore_seconds = run_tool(
            [pg_restore, "--exit-on-error", "--single-transaction", "--no-owner", f"--dbname={target}",
             str(dump)],
            env,
            "pg_restore",
        )  # fmt: skip
        with connect(params, scratch) as restored_conn:
            prepare_session(restored_conn)
            restored_inv = inventory(restored_conn)
            seq_count, lagging = lagging_sequences(restored_conn)
        restored_documents = None
        if documents_dir is not None:
            restored_documents = workdir / "documents-restaurees"
            restored_docs = restore_documents(documents_archive, restored_documents)
        decrypted = None
        if decrypt:
            decrypted = decrypt_restored(url, scratch, restored_documents)
            if restored_documents is not None:
                decrypted["with_documents"] = True

        print(
            f"Vérification de la sauvegarde de la base « {source_db} » "
            f"(PostgreSQL {source.info.server_version // 10000}, {Path(pg_dump).parent}) :",
            file=out,
        )
        print(
            f"sauvegarde de {human_size(dump.stat().st_size)} en {fr_seconds(dump_seconds)}, restaurée dans "
            f"la base de travail « {scratch} » en {fr_seconds(restore_seconds)}.",
            file=out,
        )
        print("", file=out)
        identical = report(source_inv, restored_inv, seq_count, lagging, out)
        extra_problems = 0
        if documents_dir is not None:
            print(f"Archive des pièces faite en {fr_seconds(documents_seconds)}.", file=out)
            extra_problems += report_documents(source_docs, restored_docs, out)
        if decrypted is not None:
            extra_problems += report_decryption(decrypted, out)
        if extra_problems:
            print(f"RÉSULTAT : {extra_problems} problème(s) sur les pièces ou le déchiffrement.", file=out)
            identical = False
        if keep_documents is not None and identical and documents_dir is not None:
            keep_documents.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            shutil.move(documents_archive, keep_documents)
            print(f"Archive des pièces vérifiée conservée : {keep_documents}", file=out)
        if keep_dump is not None and identical:
            keep_dump.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            dump.chmod(0o600)  # before it leaves the private working folder
            shutil.move(dump, keep_dump)
            print(f"Sauvegarde vérifiée conservée : {keep_dump}", file=out)
        elif keep_dump is not None:
            print("Sauvegarde NON conservée : la restauration diffère de la base.", file=out)
        return OK if identical else DIFFERENT
    finally:
        try:
            if created:
                drop_database(admin, scratch)
        finally:
            if admin is not None:
                admin.close()
            source.close()
            shutil.rmtree(workdir, ignore_errors=True)


def _terminate(signum, frame):
    raise SystemExit(ERROR)  # runs the finally blocks: scratch database and dump are removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Sauvegarde la base PostgreSQL de DATABASE_URL, la restaure dans une base de travail et "
        "compare les deux (nombre de lignes et empreinte de chaque table)."
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", ""), help="défaut : $DATABASE_URL"
    )
    parser.add_argument(
        "--keep-dump", type=Path, metavar="FICHIER", help="conserver la sauvegarde si elle est identique"
    )
    parser.add_argument(
        "--documents-dir", type=Path, metavar="DOSSIER", help="archiver, restaurer et comparer les pièces"
    )
    parser.add_argument(
        "--keep-documents", type=Path, metavar="FICHIER", help="conserver l'archive des pièces vérifiée"
    )
    parser.add_argument(
        "--decrypt",
        action="store_true",
        help="déchiffrer toute la base restaurée (et les pièces) avec les clés de l'environnement",
    )
    parser.add_argument("--decrypt-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--with-documents", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.decrypt_child:
        print(json.dumps(_decrypt_child(args.with_documents)))
        return OK
    if args.keep_documents is not None and args.documents_dir is None:
        parser.error("--keep-documents demande --documents-dir")
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return check(
            args.database_url,
            args.keep_dump,
            documents_dir=args.documents_dir,
            keep_documents=args.keep_documents,
            decrypt=args.decrypt,
        )
    except CheckError as exc:
        print(f"ERREUR : {exc}", file=sys.stderr)
        return ERROR


if __name__ == "__main__":
    sys.exit(main())

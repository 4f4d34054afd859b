"""The `vsla` command: import, template, demo, indicators, info, network, serve, user."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from dashboard import __version__
from dashboard.core import network
from dashboard.core.config import pool_path
from dashboard.core.filters import (
    BREAKDOWNS,
    CYCLES,
    SETTINGS,
    STATUSES,
    TRAINED_BY,
    FilterError,
    Filters,
    check_breakdown,
    visibility_params,
)
from dashboard.core.network import NetworkConfigError
from dashboard.pool.files import PoolError


def _progress_printer(stream: Any = sys.stderr) -> Callable[[str], None]:
    """Progress lines on stderr, at most a few per second (the last one always shows)."""
    last = [0.0]

    def emit(message: str) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.25 or message.endswith("."):
            last[0] = now
            print(message, file=stream, flush=True)

    return emit


def _db_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="the pool file (default: $VSLA_DB, else data/pool.duckdb)",
    )


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date as YYYY-MM-DD") from None


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not a share between 0 and 1 (e.g. 0.75)")
    return value


def _breakdown(text: str) -> str:
    try:
        check_breakdown(text)
    except FilterError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vsla",
        description="Pooled savings-group (VSLA) data: import, indicators, demo, dashboard.",
    )
    parser.add_argument("--version", action="version", version=f"vsla {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "import",
        help="import workbooks, CSV files, folders, zips or other pools",
        description="Import .xlsx workbooks (sheets named after the tables), .csv files named "
        "after the tables, folders or .zip files of them, or another pool (.duckdb). "
        "All-or-nothing: any error leaves the pool unchanged.",
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    _db_arg(p)
    demo = p.add_mutually_exclusive_group()
    demo.add_argument(
        "--replace-demo",
        action="store_true",
        help="the pool is the demo pool: replace it with these files, as real data (the "
        "demo's data and its public accounts are removed, a new secret is drawn)",
    )
    demo.add_argument(
        "--add-to-demo",
        action="store_true",
        help="the pool is the demo pool: add these files to it as test data (it stays a "
        "public demo: its accounts and secret are public)",
    )
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("template", help="write the empty import workbook partners fill in")
    p.add_argument("path", type=Path, metavar="PATH.xlsx")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("demo", help="build the deterministic demo pool")
    _db_arg(p)
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--groups", type=int, default=20_000, help="number of groups (default 20000)")
    p.add_argument("--force", action="store_true", help="replace an existing pool file")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "indicators",
        help="compute the standard indicators",
        description="Every standard indicator for the filters, as JSON or CSV (each one's "
        "definition, unit and direction: the dashboard's glossary page, /glossary; the flags: "
        "README.md, Indicators from the command line). Shares are fractions, money is USD, "
        "undefined ratios are null.",
    )
    _db_arg(p)
    p.add_argument("--as-of", type=_date, metavar="DATE", help="default: latest report date")
    for flag, choices in (
        ("country", None),
        ("organisation", None),
        ("project", None),
        ("trained-by", TRAINED_BY),
        ("setting", SETTINGS),
        ("tag", None),
        ("yes", None),
        ("status", STATUSES),
        ("cycle", CYCLES),
    ):
        p.add_argument(
            f"--{flag}",
            action="append",
            default=[],
            choices=choices,
            metavar=flag.upper().replace("-", "_"),
            help="repeat for several (OR)"
            + (f"; one of {', '.join(choices)}" if choices else "")
            + (
                "; groups answering yes to this yes/no field of the network's"
                if flag == "yes"
                else ""
            ),
        )
    p.add_argument("--min-pct-women", type=_share, metavar="F")
    p.add_argument("--max-pct-women", type=_share, metavar="F")
    p.add_argument(
        "--youth-recorded",
        choices=("yes", "no"),
        help="only groups whose latest visit recorded youth (yes) or did not (no)",
    )
    p.add_argument(
        "--by",
        type=_breakdown,
        metavar="{" + ",".join(BREAKDOWNS) + ",tag:NAME,yes:FIELD}",
        help="one row per value of this breakdown",
    )
    p.add_argument("--format", choices=("json", "csv"), default="json")
    p.set_defaults(func=cmd_indicators)

    p = sub.add_parser("info", help="what is in a pool: tables, imports, warnings")
    _db_arg(p)
    p.set_defaults(func=cmd_info)

    p = sub.add_parser(
        "network",
        help="check the network's own fields (data/network.toml or $VSLA_NETWORK) and list them",
    )
    p.set_defaults(func=cmd_network)

    p = sub.add_parser(
        "rollups", help="rebuild a pool's rollups (imports do it; for pools of older versions)"
    )
    _db_arg(p)
    p.set_defaults(func=cmd_rollups)

    p = sub.add_parser(
        "user",
        help="manage the dashboard's users (add, list, remove, passwd, role, signout)",
        description="Users sign in to the dashboard: an admin sees everything; a member sees "
        "its organisation's projects in full and the projects others share. The user store "
        "is $VSLA_USERS, else users.sqlite beside the pool.",
    )
    _db_arg(p)
    users = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    u = users.add_parser("add", help="add a user (the password is asked for, or read from stdin)")
    u.add_argument("username")
    u.add_argument("--role", choices=("admin", "member"), default="member")
    u.add_argument("--organisation", help="the member's organisation, as in the pool")
    u = users.add_parser("list", help="list the users")
    u = users.add_parser("remove", help="remove a user (their sign-in ends at once)")
    u.add_argument("username")
    u = users.add_parser("passwd", help="set a user's password (their sessions end)")
    u.add_argument("username")
    u = users.add_parser("role", help="change a user's role or organisation (sessions end)")
    u.add_argument("username")
    u.add_argument("--role", choices=("admin", "member"), required=True)
    u.add_argument("--organisation", help="the member's organisation, as in the pool")
    u = users.add_parser("signout", help="end every session of a user (sign out everywhere)")
    u.add_argument("username")
    p.set_defaults(func=cmd_user)

    p = sub.add_parser("serve", help="serve the dashboard (development server)")
    _db_arg(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8050)
    p.set_defaults(func=cmd_serve)
    return parser


def cmd_import(args: argparse.Namespace) -> int:
    from dashboard.ingest import ImportRejected, import_files

    db = pool_path(args.db)
    existed = db.exists()
    missing = [str(f) for f in args.files if not f.exists()]
    if missing:
        print(f"No such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 1
    demo = "replace" if args.replace_demo else "add" if args.add_to_demo else "refuse"
    try:
        result = import_files(
            args.files,
            db,
            progress=_progress_printer(),
            by=f"command line ({_os_user()})",
            demo=demo,
        )
    except ImportRejected as exc:
        print(exc.report(), file=sys.stderr)
        outcome = f"{db} is unchanged" if existed else f"no pool was created at {db}"
        print(f"\nNothing was imported; {outcome}.", file=sys.stderr)
        return 1
    print(result.summary())
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from dashboard.ingest import write_template

    write_template(args.path)
    print(f"Wrote the import template to {args.path}.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from dashboard.demo.build import build_demo

    db = pool_path(args.db)
    try:
        result = build_demo(
            db, seed=args.seed, groups=args.groups, replace=args.force, progress=_progress_printer()
        )
    except FileExistsError as exc:  # (the message says what to do)
        print(str(exc), file=sys.stderr)
        return 1
    print(result.summary())
    return 0


def _filters_from_args(args: argparse.Namespace) -> Filters:
    from dashboard.core.countries import country_code

    countries: list[str] = []
    for text in args.country:
        code = country_code(text)
        if code is None:
            raise FilterError(f"Unknown country {text!r}: use an ISO code (UGA, UG) or a name.")
        countries.append(code)

    def _yes_field(text: str) -> str:
        allowed = [f.id for f in network.current().yesno]
        name = network.field_id(text)
        if name not in allowed:
            raise FilterError(
                f"--yes {text!r} is not a yes/no field of the network's "
                f"({network.config_path()}): use one of {', '.join(allowed) or '(none declared)'}."
            )
        return name

    return Filters(
        country=tuple(countries),
        organisation=tuple(args.organisation),
        project=tuple(args.project),
        trained_by=tuple(args.trained_by),
        setting=tuple(args.setting),
        tag=tuple(args.tag),
        yes=tuple(_yes_field(y) for y in args.yes),
        status=tuple(args.status),
        cycle=tuple(args.cycle),
        min_pct_women=args.min_pct_women,
        max_pct_women=args.max_pct_women,
        youth_recorded=None if args.youth_recorded is None else args.youth_recorded == "yes",
        as_of=args.as_of,
    )


def _check_known(con: Any, filters: Filters) -> None:
    """A project, organisation or tag the pool does not have is a typo, not a question with
    an empty answer: FilterError naming it (a country is any country: it may have no data)."""
    from dashboard.pool.sqlfiles import sql

    projects = con.execute("SELECT project_id, organisation FROM projects").fetchall()
    tags = {t for (t, _n) in con.execute(sql("tags"), visibility_params(None)).fetchall()}
    known = {
        "--project": {p for p, _o in projects},
        "--organisation": {o for _p, o in projects},
        "--tag": tags,
    }
    given = {
        "--project": filters.project,
        "--organisation": filters.organisation,
        "--tag": filters.tag,
    }
    for flag, values in given.items():
        for value in values:
            if value not in known[flag]:
                choices = sorted(known[flag])
                shown = ", ".join(choices[:12]) + (", ..." if len(choices) > 12 else "")
                raise FilterError(
                    f"{flag} {value!r} is not in the pool: use one of {shown or '(none)'}."
                )


def cmd_indicators(args: argparse.Namespace) -> int:
    from dashboard.analytics.engine import compute, export_columns, latest_report_date, rows_to_csv
    from dashboard.pool.files import open_pool

    filters = _filters_from_args(args)
    con = open_pool(pool_path(args.db))
    try:
        _check_known(con, filters)
        filters = filters.with_as_of(filters.as_of or latest_report_date(con))
        rows = compute(con, filters, args.by, network=True)
    finally:
        con.close()
    print(f"As of {filters.as_of}; filters: {filters.describe()}.", file=sys.stderr)
    columns = export_columns(args.by)
    if args.format == "json":
        records = [{k: row[k] for k in columns} for row in rows]
        out: Any = records if args.by else records[0]
        json.dump(out, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(rows_to_csv(rows, args.by))
    return 0


def cmd_network(_args: argparse.Namespace) -> int:
    from dashboard.core import network

    config = network.load()
    if config.path is None:
        print(f"No network fields: {network.config_path()} does not exist.")
        return 0
    print(f"{config.path}: {len(config.fields)} fields, all valid.")
    for f in config.fields:
        sdg = f" SDG {f.sdg:5s}" if f.sdg else " " * 10
        per = "groups" if f.type in ("yesno", "category") else f.denominator
        print(
            f"  {f.indicator_id:28s} {f.level:7s} {f.type:8s} per {per:8s}{sdg}  {f.labels['en']}"
        )
        for indicator_id, category in f.choices:  # a category field: one indicator each
            print(f"    {indicator_id:50s} share in {category!r}")
    if config.yesno:
        print(
            "Theme filters (--yes ID, ?yes=ID) and comparisons (--by yes:ID): "
            + ", ".join(f.id for f in config.yesno)
        )
    return 0


def cmd_rollups(args: argparse.Namespace) -> int:
    from dashboard.ingest.write import ImportRejected, rebuild_rollups

    db = pool_path(args.db)
    try:
        rows = rebuild_rollups(db, say=print)
    except ImportRejected as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    print(f"Rollups of {db} rebuilt: {rows:,} cube rows.")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from dashboard.pool.files import DATA_TABLES, meta, open_pool
    from dashboard.pool.sqlfiles import sql

    db = pool_path(args.db)
    con = open_pool(db)
    try:
        info = meta(con)
        print(
            f"Pool {db} ({os.path.getsize(db) / 1e6:.1f} MB), schema version "
            f"{info['schema_version']}, {info.get('kind', 'pool')}, created {info['created_at']}"
        )
        for table in DATA_TABLES:
            (n,) = con.execute(f"SELECT count(*) FROM {table}").fetchone()
            print(f"  {table:<16} {n:>12,} rows")
        first, last = con.execute(
            "SELECT min(report_date), max(report_date) FROM datasets"
        ).fetchone()
        print(f"  report dates     {first} .. {last}")
        for rule, n in con.execute(
            "SELECT rule, count(*) FROM warnings GROUP BY rule ORDER BY 2 DESC"
        ).fetchall():
            print(f"  warning {rule:<24} {n:>8,}")
        for record in con.execute(sql("imports")).fetchdf().head(5).to_dict("records"):
            names = ", ".join(f["name"] for f in json.loads(record["files"]))
            added = json.loads(record["rows_added"]).items()
            counts = ", ".join(f"{n:,} {t}" for t, n in added if n)
            by = record.get("imported_by")
            print(
                f"  import {record['import_id']} at {record['imported_at']:%Y-%m-%d %H:%M}"
                f"{f' by {by}' if isinstance(by, str) else ''}: {names}; "
                f"added {counts or 'nothing'}; {record['warnings']:,} warnings"
            )
            moves = record.get("moves")
            for move in json.loads(moves) if isinstance(moves, str) else []:
                print(f"    moved {move['project_id']} from {move['from']} to {move['to']}")
    finally:
        con.close()
    return 0


def _os_user() -> str:
    """Who runs the command (the import record names them)."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container, say)
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def _read_password() -> str:
    """Asked for twice at a terminal; the first line of stdin otherwise (for scripts)."""
    import getpass

    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise SystemExit("The two passwords differ; nothing was changed.")
    return first


def cmd_user(args: argparse.Namespace) -> int:
    from dashboard.access.users import AuthError, UserStore

    if args.db:
        os.environ["VSLA_DB"] = str(args.db)
    store = UserStore()
    try:
        if args.action == "list":
            users = store.users()
            for user in users:
                print(f"{user.username:24s} {user.role:7s} {user.organisation or ''}")
            print(f"{len(users)} users in {store.path}", file=sys.stderr)
        elif args.action == "add":
            if args.role == "member" and args.organisation:
                _check_organisation(args.organisation)
            user = store.add(args.username, _read_password(), args.role, args.organisation)
            of = f", {user.organisation}" if user.organisation else ""
            print(f"Added {user.username} ({user.role}{of}).")
        elif args.action == "remove":
            store.remove(args.username)
            print(f"Removed {args.username}.")
        elif args.action == "passwd":
            store.set_password(args.username, _read_password())
            print(f"Set the password of {args.username}; their sessions ended.")
        elif args.action == "role":
            if args.role == "member" and args.organisation:
                _check_organisation(args.organisation)
            user = store.set_role(args.username, args.role, args.organisation)
            of = f", {user.organisation}" if user.organisation else ""
            print(f"{user.username} is now {user.role}{of}; their sessions ended.")
        elif args.action == "signout":
            ended = store.sign_out_everywhere(args.username)
            print(f"Ended {ended} session{'s' if ended != 1 else ''} of {args.username}.")
    except AuthError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


def _check_organisation(organisation: str) -> None:
    """A member's organisation should be one of the pool's (a typo would show nothing)."""
    from dashboard.pool.files import open_pool

    path = pool_path()
    if not path.exists():
        return
    con = open_pool(path, read_only=True)
    try:
        known = {r[0] for r in con.execute("SELECT DISTINCT organisation FROM projects").fetchall()}
    finally:
        con.close()
    if known and organisation not in known:
        from dashboard.access.users import AuthError

        raise AuthError(
            f"No organisation {organisation!r} in the pool ({path}); known: "
            + ", ".join(sorted(known))
        )


def cmd_serve(args: argparse.Namespace) -> int:
    if args.db:
        os.environ["VSLA_DB"] = str(args.db)
    from dashboard.web.server import create_app

    if not os.environ.get("VSLA_SECRET_KEY"):
        print(
            "No VSLA_SECRET_KEY set: sessions are signed with a key made up for this run "
            "(sign-ins end when it stops). Set one for anything but local use.",
            file=sys.stderr,
        )
    create_app(generated_key_ok=True).run(host=args.host, port=args.port, debug=False)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from dashboard.access.policy import ADMIN
    from dashboard.access.viewer import acting_as

    try:
        # Whoever runs the command line holds the pool file: they act as the network's
        # administrator, on purpose (code without a viewer would see what a guest sees).
        with acting_as(ADMIN):
            return int(args.func(args))
    except (PoolError, FilterError, NetworkConfigError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `vsla indicators | head`: the reader left, not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())

"""The `netral-companion` command line (also `python -m companion`): serve, keys, bundles, log."""

import csv
import errno
import gc
import json
import logging
import socket
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from companion import __version__
from companion.config import (
    CompanionError,
    Settings,
    load_or_create_token,
    load_settings,
    prepare_data_dir,
    read_port_file,
)
from companion.routes.models import Action, Platform
from companion.rules.bundle import BundleRejected
from companion.store import JSON_LIST_COLUMNS, LATER_COLUMNS, LOG_COLUMNS, Store, StoreError

FilePath = click.Path(path_type=Path)
data_dir_option = click.option(
    "--data-dir", type=FilePath,
    help="Data directory (env NETRAL_DATA_DIR; default: the per-user data dir).",
)
PLATFORMS = [platform.value for platform in Platform]
ACTIONS = [action.value for action in Action]
trusted_keys_option = click.option(
    "--trusted-keys", type=FilePath,
    help="trusted_keys.json to verify with (env NETRAL_TRUSTED_KEYS; default: the embedded one).",
)


def _store(settings: Settings, *, create: bool) -> Store:
    """The store in the data dir; read-only commands refuse to create an empty one."""
    if create:
        prepare_data_dir(settings.data_dir)
    elif not settings.db_path.is_file():
        raise CompanionError(
            f"no acknowledgement log at {settings.db_path}; check --data-dir or NETRAL_DATA_DIR."
        )
    return Store(settings.db_path)


class _Commands(click.Group):
    """The commands; `setup` (the installer's code) is imported only when it is asked for, so
    `serve` and the rest start without it."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), "setup"})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name == "setup" and name not in self.commands:
            from companion.setup import setup

            self.add_command(setup)
        return super().get_command(ctx, name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="netral-companion")
def cli() -> None:
    """Netral companion: the local service the Netral browser extension asks before an ASN acts.

    \b
    Example:
      netral-companion serve
    """


@cli.command()
@click.option("--host", help="Loopback address to bind (env NETRAL_HOST; default 127.0.0.1).")
@click.option("--port", type=int, help="Port; 0 picks a free one (env NETRAL_PORT; default 47613).")
@data_dir_option
@click.option("--rules", multiple=True, type=FilePath,
              help="Bundle file to load at start; repeatable (env NETRAL_RULES, paths joined by "
                   "the OS path separator; default: the embedded Pemilu bundle).")
@trusted_keys_option
@click.option("--allowed-origin", "allowed_origins", multiple=True,
              help="Origin allowed to call the API; repeatable (env NETRAL_ALLOWED_ORIGINS, "
                   "comma-separated; default: the Netral extension).")
@click.option("--rules-url",
              help="Also poll URL and URL.sig for newer bundles (env NETRAL_RULES_URL).")
@click.option("--rules-poll-seconds", type=float,
              help="Seconds between polls of --rules-url "
                   "(env NETRAL_RULES_POLL_SECONDS; default 300).")
def serve(**options) -> None:
    """Run the companion on loopback until stopped.

    Prints `listening on http://HOST:PORT` once it accepts connections.

    \b
    Example:
      netral-companion serve --port 0 --data-dir /tmp/netral
    """
    settings = load_settings(**options)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Fail here, in one line, on anything the lifespan would otherwise report as a traceback.
    prepare_data_dir(settings.data_dir)
    token = load_or_create_token(settings.token_path)
    Store(settings.db_path).close()
    sock, note = _claim_port(settings, token)
    port = sock.getsockname()[1]
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    from companion.rules.manager import compile_ahead

    # A new large bundle's parse runs in a child while this process imports the web stack.
    compile_ahead(settings.startup_bundles(), settings.rules_dir, settings.cache_dir,
                  settings.trusted_keys_path())
    # The web stack is imported only now (the other commands start fast, and the read-ahead
    # above overlaps these imports).
    import uvicorn

    from companion.app import create_app
    from companion.http import AnnouncingServer, guarded

    app = create_app(settings.model_copy(update={"port": port}))

    protocol = guarded(settings.request_timeout_seconds, settings.max_connections)
    config = uvicorn.Config(app, log_config=None, log_level="warning", access_log=False,
                            lifespan="on", server_header=False, http=protocol,
                            timeout_keep_alive=5)
    line = f"listening on http://{host}:{port}" + (f" ({note})" if note else "")

    def listening() -> None:
        app.state.rules.listening()
        # The start ran without the cyclic collector (companion.launch). What is alive now lives
        # as long as the process: frozen, no later collection walks it, so no request stalls for
        # a full pass over it (50–170 ms here). The start's few cycles of garbage (~760 objects)
        # stay; what is freed later (a bundle swapped out) goes by its reference counts, tested.
        gc.freeze()
        gc.enable()

    AnnouncingServer(config, line, settings.port_path, port, on_listening=listening).run(
        sockets=[sock])


def _claim_port(settings: Settings, token: str) -> tuple[socket.socket, str | None]:
    """The listening socket, and what to add to the `listening on` line when it is not the
    configured port. CompanionError "already running" when this user's companion answers already.

    This user's companion is the one DATA_DIR/port names (or the one on the configured port) that
    answers the hello proof for this user's token; the token itself is never sent to find out.
    """
    from companion.native_host import probe

    recorded = read_port_file(settings.port_path)
    if recorded and probe(settings.host, recorded, token) == "ours":
        raise _already_running(settings, recorded)
    try:
        return _listen(settings.host, settings.port), None
    except _PortTaken:
        pass
    who = probe(settings.host, settings.port, token)
    if who == "ours":
        raise _already_running(settings, settings.port)
    sock = _listen(settings.host, 0)
    holder = "another user's companion" if who == "companion" else "another program"
    return sock, (f"port {settings.port} is taken by {holder}, so this companion took a free "
                  f"port; {settings.port_path} names it")


def _already_running(settings: Settings, port: int) -> CompanionError:
    return CompanionError(
        f"already running: this user's companion answers on {settings.host}:{port} (named in "
        f"{settings.port_path}); use it, or stop it before starting another."
    )


class _PortTaken(CompanionError):
    pass


def _listen(host: str, port: int) -> socket.socket:
    # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on connections accepted from a
    # socket whose proto says TCP. Without it a keep-alive response's head and body meet Nagle's
    # algorithm and the client's delayed ACK, and each request waits ~40 ms.
    from companion.listener import SheddingListener

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = SheddingListener(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    if sys.platform != "win32":  # on Windows SO_REUSEADDR would let another process share the port
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError as error:
        sock.close()
        in_use = {errno.EADDRINUSE, 10048}  # 10048: WSAEADDRINUSE, as Windows reports it
        if port and (error.errno in in_use or getattr(error, "winerror", None) in in_use):
            raise _PortTaken(f"port {port} is in use") from None
        raise CompanionError(
            f"cannot listen on {host}:{port} ({error.strerror}); stop the other companion "
            "or choose another --port."
        ) from None
    return sock


@cli.command("native-host", context_settings={"ignore_unknown_options": True})
@click.argument("caller", nargs=-1, type=click.UNPROCESSED)
def native_host(caller: tuple[str, ...]) -> None:
    """The browser's native-messaging host (id.go.netral.companion); the browser runs it.

    Reads native messages on stdin and answers {"type": "connect"} with this user's companion
    URL and token, for an allowed extension origin (the first argument) only. Installers register
    `netral-native-host`, which runs the same code.

    \b
    Example:
      netral-companion native-host chrome-extension://hpacmafgmndfplepbodgnlklobkdbkag/
    """
    from companion.native_host import main as host_main

    host_main(list(caller))


@cli.command()
@click.option("--name", required=True, help="Key name, e.g. your agency (also the file name).")
@click.option("--out", required=True, type=FilePath,
              help="Directory for NAME.key and NAME.pub.json.")
def keygen(name: str, out: Path) -> None:
    """Make an Ed25519 signing key pair for rules bundles.

    Writes OUT/NAME.key (private, PKCS#8 PEM, mode 0600: keep it off shared drives) and
    OUT/NAME.pub.json (an entry for trusted_keys.json).

    \b
    Example:
      netral-companion keygen --name bkn-2024 --out ./keys
    """
    from companion.rules.keys import keygen as make_keys

    key_path, pub_path = make_keys(name, out)
    click.echo(f"private key: {key_path}")
    click.echo(f"public key entry: {pub_path}")


@cli.command()
@click.argument("bundle", type=FilePath)
@click.option("--key", "key_path", required=True, type=FilePath,
              help="Private key file (NAME.key).")
def sign(bundle: Path, key_path: Path) -> None:
    """Add this key's signature to BUNDLE.sig (created if missing).

    \b
    Example:
      netral-companion sign pemilu-2024.bundle.json --key ./keys/bkn-2024.key
    """
    from companion.rules.keys import sign_bundle

    keyid = sign_bundle(bundle, key_path)
    click.echo(f"signed {bundle} with key {keyid}")


def _summary(bundle) -> str:
    entities = bundle.entity_count
    return (f"{bundle.bundle_id} version {bundle.version}, issued {bundle.issued_at}, expires "
            f"{bundle.expires_at}, signed by {', '.join(bundle.signed_by)}, {entities} entities, "
            f"sha256 {bundle.sha256}")


def _election_lines(bundle, now: datetime) -> list[str]:
    """Each election of a bundle with its stages, marking the one running at `now`."""
    from companion.rules.timeline import Timeline, localized

    timeline = Timeline(bundle.compiled)
    state = timeline.state_at(now.timestamp())
    if not timeline.elections:
        return ["elections: none (every entity is always active)"]
    running = [s for s in state.stages if s is not None]
    lines = [f"elections at {now.isoformat(timespec='seconds')}: "
             + (f"{len(running)} stage(s) running" if running else "no stage running")]
    for e, election in enumerate(timeline.elections):
        name = localized(election.get("name", election["id"]), "id")
        stages = timeline.stages[e]
        lines.append(f"  {election['id']} ({name}): "
                     + (f"{len(stages)} stage(s)" if stages else "no stages yet (scheduled)"))
        for stage in stages:
            mark = "  <- running now" if state.stages[e] is stage else ""
            lines.append(f"    {stage.source['from']} .. {stage.source['until']}  {stage.id} "
                         f"({localized(stage.name, 'id')}){mark}")
    return lines


@cli.command()
@click.argument("bundle", type=FilePath)
@trusted_keys_option
def verify(bundle: Path, trusted_keys: Path | None) -> None:
    """Check BUNDLE and BUNDLE.sig against the trusted keys: exit 0 if acceptable, else 1 and why.

    Checks size, signatures, schema and expiry; rollback depends on a data dir, see install-rules.

    \b
    Example:
      netral-companion verify pemilu-2024.bundle.json --trusted-keys trusted_keys.json
    """
    from companion.rules.bundle import load_trusted_keys, read_bundle_files, verify_bundle

    keys_path = load_settings(trusted_keys=trusted_keys).trusted_keys_path()
    if keys_path is None:
        raise CompanionError("no trusted keys file; pass --trusted-keys FILE.")
    raw, sig = read_bundle_files(bundle)
    now = datetime.now(UTC)
    verified = verify_bundle(raw, sig, load_trusted_keys(keys_path), now)
    click.echo(f"ok: {_summary(verified)}")
    for line in _election_lines(verified, now):
        click.echo(line)


def _instant(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an RFC 3339 timestamp such as 2024-01-15T10:00:00+07:00",
            param_hint="--at") from None
    if at.tzinfo is None:
        raise click.BadParameter(f"{value!r} has no offset; add one, e.g. +07:00 for WIB",
                                 param_hint="--at")
    return at


@cli.command()
@click.argument("text")
@click.option("--at", "at_text", metavar="TIMESTAMP",
              help="The instant to answer for, RFC 3339 with an offset (default: now).")
@click.option("--platform", type=click.Choice(list(PLATFORMS)), default="x", show_default=True)
@click.option("--action", type=click.Choice(list(ACTIONS)), default="like", show_default=True)
@click.option("--author", help="The post's author handle (without @).")
@data_dir_option
@click.option("--rules", multiple=True, type=FilePath,
              help="Bundle file to preview; repeatable (default: what `serve` would accept).")
@trusted_keys_option
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print exactly the /v1/check response body.")
def check(text: str, at_text: str | None, platform: str, action: str, author: str | None,
          data_dir: Path | None, rules: tuple[Path, ...], trusted_keys: Path | None, lang: str,
          as_json: bool) -> None:
    """Answer as POST /v1/check would for a post with TEXT, at an instant, without a server.

    Previews a bundle before it is signed and shipped: which entities match, for which
    election and stage, and the warning a civil servant would see. Nothing is written.

    \b
    Example:
      netral-companion check "Coblos 02, Prabowo-Gibran!" --at 2024-01-15T10:00:00+07:00
      netral-companion check "Rapat Fraksi PKB" --rules my.bundle.json --trusted-keys keys.json
    """
    from companion.answers import check_answer
    from companion.rules.manager import RulesManager

    at = _instant(at_text)
    logging.getLogger("netral.rules").setLevel(logging.ERROR)  # a refusal is said once, below
    settings = load_settings(data_dir=data_dir, rules=rules, trusted_keys=trusted_keys)
    # The rollback state serve would use, read and never written; no data dir is created.
    store = Store(settings.db_path) if settings.db_path.is_file() and not rules else None
    try:
        manager = RulesManager(store, settings.trusted_keys_path(), settings.rules_dir,
                               clock=lambda: at, record=False)
        # --rules previews exactly those files; without it, what serve would load.
        manager.load_startup(settings.startup_bundles(), rules_dir=not rules)
    finally:
        if store is not None:
            store.close()
    loaded = manager.current
    if loaded is None and rules:
        from companion.rules.bundle import read_bundle_files

        loaded = manager.offer(*read_bundle_files(rules[0]), str(rules[0]))  # raises the reason
    if loaded is None:
        raise CompanionError("no bundle could be accepted (run `netral-companion verify BUNDLE` "
                             "to see why); pass --rules and --trusted-keys.")
    post = {"text": text, "author_handle": author}
    answer = check_answer(loaded, platform=platform, action=action, post=post, draft_text=None,
                          lang=lang, at=at)
    if as_json:
        click.echo(json.dumps(answer, ensure_ascii=False, indent=1))
        return
    bundle = loaded.bundle
    click.echo(f"{answer['verdict']}: {action} on {platform} at {at.isoformat()} "
               f"({bundle.bundle_id} version {bundle.version})")
    for match in answer["matches"]:
        election = match["election"]
        when = (f"{election['name']} · {election['stage']['name']}" if election
                else "always active")
        signals = ", ".join(f"{s['type']} {s['value']!r}" for s in match["signals"])
        click.echo(f"  {match['name']} [{match['kind']}] — {when} — {signals}")
    if answer["matches_truncated"]:
        click.echo(f"  … and {answer['matches_truncated']} more")
    if answer["message"]:
        click.echo(f"\n{answer['message']['title']}\n{answer['message']['body']}")
    for ref in answer["legal_refs"]:
        click.echo(f"  · {ref['title']}")


@cli.command("install-rules")
@click.argument("bundle", type=FilePath)
@data_dir_option
@trusted_keys_option
def install_rules(bundle: Path, data_dir: Path | None, trusted_keys: Path | None) -> None:
    """Verify BUNDLE (rollback included) and install it into DATA_DIR/rules/.

    A running companion picks it up within about a second.

    \b
    Example:
      netral-companion install-rules pemilu-2024.bundle.json
    """
    from companion.rules.manager import RulesManager

    settings = load_settings(data_dir=data_dir, trusted_keys=trusted_keys)
    store = _store(settings, create=True)
    try:
        manager = RulesManager(store, settings.trusted_keys_path(), settings.rules_dir,
                               cache_dir=settings.cache_dir)
        installed = manager.install(bundle)
    finally:
        store.close()
    click.echo(f"installed: {_summary(installed)}")


@cli.command()
@data_dir_option
def pair(data_dir: Path | None) -> None:
    """Print a one-time code (valid 10 minutes) to type into the Netral extension.

    A new code replaces the previous one; five wrong tries invalidate it.

    \b
    Example:
      netral-companion pair
    """
    store = _store(load_settings(data_dir=data_dir), create=True)
    try:
        code = store.create_pairing_code()
    finally:
        store.close()
    click.echo(f"pairing code: {code} (valid 10 minutes; type it into the Netral extension)")


@cli.group()
def acks() -> None:
    """The acknowledgement log: export it, or check its hash chain.

    \b
    Example:
      netral-companion acks verify
    """


@acks.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv",
              show_default=True, help="Output format.")
@data_dir_option
def export(fmt: str, data_dir: Path | None) -> None:
    """Write the whole acknowledgement log to standard output.

    \b
    Example:
      netral-companion acks export --format json > acks.json
    """
    store = _store(load_settings(data_dir=data_dir), create=False)
    try:
        rows = store.all_acknowledgements()
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=[*LOG_COLUMNS, *LATER_COLUMNS, "hash"],
                            lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row | {column: json.dumps(row[column], ensure_ascii=False)
                               for column in JSON_LIST_COLUMNS})


@acks.command("verify")
@data_dir_option
def verify_acks(data_dir: Path | None) -> None:
    """Recompute the log's hash chain: exit 0 if intact, 1 at the first broken entry.

    \b
    Example:
      netral-companion acks verify --data-dir ~/.local/share/netral
    """
    store = _store(load_settings(data_dir=data_dir), create=False)
    try:
        result = store.verify_chain()
    finally:
        store.close()
    for loss in result["losses"]:
        click.echo(f"lost ({loss['kind']}, found {loss['detected_at']}): {loss['detail']}",
                   err=True)
    if result["first_bad_seq"] is not None:
        raise CompanionError(
            f"hash chain broken at seq {result['first_bad_seq']} ({result['count']} entries); "
            "the log was edited outside the companion, keep a copy of it for review."
        )
    if result["losses"]:
        raise CompanionError(
            f"the {result['count']} entries present are intact, but {len(result['losses'])} "
            "loss(es) of earlier entries were found (above); keep the data dir for review."
        )
    click.echo(f"ok: {result['count']} entries, hash chain intact, nothing lost")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def main(argv: list[str] | None = None) -> None:
    """Entry point: any failure is one line on stderr and a non-zero exit, never a traceback."""
    try:
        code = cli.main(args=argv, prog_name="netral-companion", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as error:
        click.echo(error.ctx.get_help())
        code = 0
    except click.UsageError as error:
        where = error.ctx.command_path if error.ctx else "netral-companion"
        click.echo(f"error: {_one_line(error.format_message())} (see `{where} --help`)", err=True)
        code = 2
    except click.ClickException as error:
        click.echo(f"error: {_one_line(error.format_message())}", err=True)
        code = error.exit_code
    except click.Abort:
        click.echo("error: aborted", err=True)
        code = 1
    except BundleRejected as error:
        click.echo(f"error: rejected ({error.reason}): {_one_line(error.detail)}", err=True)
        code = 1
    except (CompanionError, StoreError) as error:
        click.echo(f"error: {_one_line(error)}", err=True)
        code = 1
    except OSError as error:
        where = f" {error.filename}" if error.filename else ""
        click.echo(f"error: {error.strerror or _one_line(error)}:{where}; check the path and "
                   "its permissions.", err=True)
        code = 1
    except sqlite3.Error as error:
        click.echo(f"error: the database cannot be used ({_one_line(error)}); check the data dir "
                   "is writable and has free space.", err=True)
        code = 1
    except Exception as error:  # the promise is one line, never a traceback, whatever went wrong
        click.echo(f"error: unexpected {type(error).__name__}: {_one_line(error)}", err=True)
        code = 1
    sys.exit(code or 0)

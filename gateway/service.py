"""One gateway process: the JSON API, the dispatcher, the poller and the sink deliveries.

Built from a :class:`gateway.config.Config`; every start-up problem (bad config, missing
certificates, an unreachable database, a port in use) is a :class:`StartupError` whose message
says what to fix. SIGTERM/SIGINT stop it gracefully: no new claims, attempts in flight finish
(or their leases run out and another process takes over), then the store is closed.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import signal
import socket
import ssl
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

from aiohttp import web

from adapters.hub.client import HubClient
from adapters.hub.settings import HubClientSettings
from adapters.sinks.folder import FolderSettings, FolderSink
from adapters.sinks.webhook import WebhookSettings, WebhookSink
from gateway.admission import Admission
from gateway.api.app import make_app
from gateway.api.auth import ClientBook, ClientRule, TokenBook, WeakToken, check_strength
from gateway.api.context import ApiContext
from gateway.api.metrics import Metrics
from gateway.config import Config, ConfigError
from gateway.engine.dispatcher import default_owner
from gateway.engine.fetchguard import last_fetch
from gateway.engine.ports import SinkPort
from gateway.engine.runner import Engine
from gateway.engine.werkdagen import dutch_date
from gateway.inbound import InboundProcessor
from gateway.security.certificates import load_credentials
from gateway.security.errors import SecurityError
from gateway.security.tls import client_context
from gateway.security.trust import TrustStore
from gateway.store import open_store
from gateway.store.base import NodeInUse, Store
from gateway.submission import Submitter

log = logging.getLogger(__name__)
STOP_GRACE_SECONDS = 30.0
T = TypeVar("T")
_PORT_IN_USE = "another process listens there (a gateway running?); stop it, or choose another [api] port"


class StartupError(Exception):
    """The gateway cannot start; the message says what to fix."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _secret(env: str | None, what: str) -> str | None:
    if env is None:
        return None
    value = os.environ.get(env)
    if not value:
        raise StartupError(f"{what}: the environment variable {env} is not set")
    return value


#: which [tls] key a problem loading our credentials is about, by the security layer's error code
_CREDENTIAL_KEYS = {
    "key-unreadable": "private_key",
    "key-mismatch": "private_key",
    "key-unsupported": "private_key",
    "passphrase-missing": "passphrase_env",
}
_TRUST_KEYS = {
    "crl-unreadable": "crl_files",
    "crl-invalid": "crl_files",
    "crl-not-yet-valid": "crl_files",
    "crl-expired": "crl_files",
    "tls-version": "minimum_version",
}


def _tls_step(default_key: str, step: Callable[[], T], keys: dict[str, str]) -> T:
    """Run one step of loading our TLS material; a refusal names the [tls] key to fix."""
    try:
        return step()
    except SecurityError as exc:
        raise StartupError(f"[tls] {keys.get(exc.code, default_key)}: {exc.message}") from None
    except (OSError, ValueError, ssl.SSLError) as exc:
        raise StartupError(f"[tls] {default_key}: cannot load it: {exc}") from None


def _mask(url: str) -> str:
    """A DSN without its password, for error messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        return f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}" if ":" in credentials else url
    return url


class Gateway:
    def __init__(self, config: Config, *, clock: Callable[[], datetime] = _utcnow) -> None:
        self.config = config
        self.clock = clock
        self.stopping = asyncio.Event()
        self.store: Store | None = None
        self.hub: HubClient | None = None
        self.sinks: list[SinkPort] = []
        self.engine: Engine | None = None
        self.metrics = Metrics()
        self._runner: web.AppRunner | None = None
        self._engine_task: asyncio.Task[None] | None = None
        self.api_port: int | None = None

    # -- start -----------------------------------------------------------------------------------
    async def start(self) -> None:
        config = self.config
        try:
            config.check_for_serve()
        except ConfigError as exc:
            raise StartupError(str(exc)) from None
        tokens, clients = self._api_callers()
        self.hub = self._hub_client()
        self.sinks = self._build_sinks()
        self.store = await self._open_store()
        node = config.engine.node or socket.gethostname()
        await self._take_over(self.store, node)
        adresboek = config.adresboek()
        processing = InboundProcessor(
            eigen_adres=config.gateway.adres, adresboek=adresboek, limits=config.xml.limits, clock=self.clock
        )
        trust = Admission(
            self.store,
            adresboek,
            rol=config.gateway.rol,
            deliver_unknown_answers=config.engine.conversations.deliver_unknown_answers,
        )
        self.engine = engine = Engine(
            self.store,
            self.hub,
            processing,
            self.sinks,
            config.engine,
            trust=trust,
            clock=self.clock,
            owner=default_owner(node),
        )
        engine.dispatcher.on_attempt = self.metrics.observe_attempt
        submitter = Submitter(
            eigen_adres=config.gateway.adres,
            rol=config.gateway.rol,
            adresboek=adresboek,
            enqueue=engine.enqueue,
            existing=self.store.get_outbound,
            conversations=self.store,
            clock=self.clock,
        )
        context = ApiContext(
            config=config,
            store=self.store,
            engine=engine,
            submitter=submitter,
            adresboek=adresboek,
            metrics=self.metrics,
            tokens=tokens,
            clients=clients,
            certificate_days=self.hub.certificate_days_left,
            clock=self.clock,
            today=self.today,
        )
        await self._start_api(make_app(context))
        self._engine_task = asyncio.create_task(engine.run(self.stopping), name="engine")
        log.info(
            "gateway %s (%s) started: API on %s:%s, hub %s, store %s",
            config.gateway.naam,
            config.gateway.rol.value,
            config.api.host,
            self.api_port,
            config.hub.endpoint,
            _mask(config.store.resolved_url(config.base)),
        )

    async def _take_over(self, store: Store, node: str) -> None:
        """Work as ``node``: what an earlier process of this node claimed and left (killed) is due now,
        not after its lease. A fresh store gets a warning about a second gateway of this identity."""
        try:
            taken = await store.take_over_node(node, now=self.clock())
        except NodeInUse as exc:
            raise StartupError(f"[engine] node: {exc}") from None
        if taken:
            log.info("node %s: %d claim(s) left by its previous process are due again now", node, taken)
        if await last_fetch(store) is None:
            log.warning(
                "this store has never fetched from the hub: if another gateway with this identity "
                "(gateway %s, the same certificate) runs with a store of its own, each takes inbound "
                "messages the other never sees; run one gateway per identity (several processes share "
                "one PostgreSQL store)",
                self.config.gateway.adres,
            )

    def _api_callers(self) -> tuple[TokenBook, ClientBook]:
        """The API's tokens (secrets from the environment, each strong enough) and client certificates."""
        api = self.config.api
        tokens = []
        for token in api.effective_tokens():
            secret = os.environ.get(token.env)
            if not secret:
                hint = "" if api.tokens else " (or list client certificates as [[api.clients]])"
                raise StartupError(
                    f"[api] token {token.name!r}: the API is never open: set the environment variable "
                    f"{token.env} to a bearer token{hint}"
                )
            try:
                check_strength(secret)
            except WeakToken as exc:
                raise StartupError(f"[api] token {token.name!r} (${token.env}) is too weak: {exc}") from None
            tokens.append((token.name, secret, token.roles))
        secrets_given = [secret for _, secret, _ in tokens]
        if len(set(secrets_given)) != len(secrets_given):
            raise StartupError("[api] tokens: two tokens have the same secret; give each its own")
        if api.clients and api.client_ca is None:
            raise StartupError(
                "[api] clients: client certificates need client_ca (and certificate, private_key)"
            )
        if api.client_ca is not None and not api.clients:
            raise StartupError(
                "[api] client_ca: list the client certificates allowed in as [[api.clients]] (by oin or "
                "subject, with their roles); a certificate the CA signed opens nothing by itself"
            )
        clients = ClientBook(
            ClientRule(c.name, frozenset(c.roles), oin=c.oin, subject=c.subject) for c in api.clients
        )
        return TokenBook(tokens), clients

    def _hub_client(self) -> HubClient:
        c = self.config
        assert c.tls is not None
        for name in ("certificate", "ca_bundle", "private_key"):
            path = getattr(c.tls, name)
            if path is not None and not path.is_file():
                raise StartupError(f"[tls] {name}: no such file: {path}")
        settings = HubClientSettings(
            endpoint=c.hub.endpoint,
            afzender=c.gateway.adres,
            tls=c.tls,
            wssecurity=c.wssecurity,
            hub_oin=c.hub.hub_oin,
            connect_timeout_seconds=c.hub.connect_timeout_seconds,
            request_timeout_seconds=c.hub.request_timeout_seconds,
            max_connections=c.hub.max_connections,
            keepalive_seconds=c.hub.keepalive_seconds,
            max_response_bytes=c.hub.max_response_bytes,
        )
        # one step at a time, so that a refusal names the key whose file is wrong
        tls = c.tls
        credentials = _tls_step("certificate", lambda: load_credentials(tls), _CREDENTIAL_KEYS)
        trust = _tls_step(
            "ca_bundle", lambda: TrustStore.from_files(tls.ca_bundle, tls.crl_files), _TRUST_KEYS
        )
        context = _tls_step(
            "ca_bundle", lambda: client_context(tls, credentials, trust.revocation), _TRUST_KEYS
        )
        return HubClient(settings, credentials=credentials, trust=trust, ssl_context=context)

    def _build_sinks(self) -> list[SinkPort]:
        sinks: list[SinkPort] = []
        webhook = self.config.sinks.webhook
        if webhook is not None:
            secret = _secret(webhook.secret_env, "[sinks.webhook] secret_env") or ""
            sinks.append(WebhookSink(WebhookSettings(webhook.url, secret.encode(), webhook.timeout_seconds)))
        folder = self.config.sinks.folder
        if folder is not None:
            sinks.append(FolderSink(FolderSettings(folder.path, folder.format)))
        return sinks

    async def _open_store(self) -> Store:
        try:
            url = self.config.store.resolved_url(self.config.base)
        except ConfigError as exc:
            raise StartupError(str(exc)) from None
        if not url.startswith(("postgresql://", "postgres://")):
            directory = Path(url.removeprefix("sqlite:///").removeprefix("sqlite:")).parent
            if not directory.is_dir():
                raise StartupError(
                    f"[store] url: the directory {directory} does not exist (create it or fix the path)"
                )
        try:
            return await open_store(url, lock_timeout_seconds=self.config.store.lock_timeout_seconds)
        except Exception as exc:  # any driver error: say which database and why
            raise StartupError(
                f"[store] url: cannot open the store at {_mask(url)}: {type(exc).__name__}: {exc}"
            ) from None

    async def _start_api(self, app: web.Application) -> None:
        api = self.config.api
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, api.host, api.port, ssl_context=self._api_ssl())
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()
            why = _PORT_IN_USE if exc.errno == errno.EADDRINUSE else exc.strerror
            raise StartupError(f"[api] port: cannot listen on {api.host}:{api.port}: {why}") from None
        sockets = site._server.sockets if site._server else ()  # type: ignore[union-attr]
        self.api_port = sockets[0].getsockname()[1] if sockets else api.port

    def _api_ssl(self) -> ssl.SSLContext | None:
        api = self.config.api
        if api.certificate is None:
            if api.client_ca is not None:
                raise StartupError("[api] client_ca needs certificate and private_key (the API's own TLS)")
            return None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        key = api.private_key or api.certificate
        try:
            context.load_cert_chain(str(api.certificate), str(key))
        except (OSError, ssl.SSLError) as exc:
            raise StartupError(
                f"[api] certificate / private_key: cannot load {api.certificate} with the key {key}: "
                f"{getattr(exc, 'strerror', None) or exc}"
            ) from None
        if api.client_ca is not None:
            try:
                context.load_verify_locations(str(api.client_ca))
            except (OSError, ssl.SSLError) as exc:
                raise StartupError(
                    f"[api] client_ca: cannot load {api.client_ca}: {getattr(exc, 'strerror', None) or exc}"
                ) from None
            context.verify_mode = ssl.CERT_OPTIONAL if api.effective_tokens() else ssl.CERT_REQUIRED
        return context

    # -- run and stop ----------------------------------------------------------------------------
    async def serve_forever(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stopping.set)
        try:
            await self.start()
        except BaseException:
            await self._close()  # what was opened before the failure; it never ran, so no "stopped"
            raise
        try:
            await self.stopping.wait()
        finally:
            await self.stop()

    async def stop(self) -> None:
        self.stopping.set()
        started = self._engine_task is not None
        if self._engine_task is not None:
            try:
                await asyncio.wait_for(self._engine_task, STOP_GRACE_SECONDS)
            except TimeoutError:
                log.warning(
                    "attempts still in flight after %ss; their leases will expire", STOP_GRACE_SECONDS
                )
            self._engine_task = None
        left = await self._still_queued() if started else None
        await self._close()
        if started:
            log.info("gateway stopped%s", left)

    async def _still_queued(self) -> str:
        """What is left for the next start, said when stopping (the store is still open)."""
        if self.store is None:
            return ""
        try:
            counts = await self.store.counts()
        except Exception as exc:
            return f"; the queue could not be counted ({type(exc).__name__}: {exc})"
        queued = counts.outbox.get("queued", 0) + counts.outbox.get("sending", 0)
        sinks = counts.sink.get("pending", 0) + counts.sink.get("delivering", 0)
        return (
            f": {queued} outbound message(s) still queued and {sinks} hand-over(s) to our system "
            "pending; they continue at the next start"
        )

    async def _close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        for sink in self.sinks:
            await sink.close()
        self.sinks = []
        if self.hub is not None:
            await self.hub.close()
            self.hub = None
        if self.store is not None:
            await self.store.close()
            self.store = None

    def today(self) -> date:
        return dutch_date(self.clock())

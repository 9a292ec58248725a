"""Folder sink: one file per inbound message, written atomically and readable by the owner only.

The file appears complete or not at all (:func:`gateway.files.write_private`: a hidden temporary in
the same folder, flushed, renamed, the folder entry synced) with mode 0600: messages hold names,
BSNs and addresses. Writing the same message again is harmless (same name, same content), so a
redelivery after a crash never makes a second file. Files are named
``<berichttype>-<referentienummer>.<json|xml>``. Before its first write the sink deletes the
temporaries a killed process left behind (:func:`gateway.files.remove_stale_temporaries`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from gateway.engine.ports import DeliveryRequest, HubResult, Outcome
from gateway.engine.retry import Peer, classified
from gateway.files import remove_stale_temporaries, write_private

log = logging.getLogger("skgw.sink.folder")


@dataclass(frozen=True, slots=True)
class FolderSettings:
    path: Path
    format: Literal["json", "xml"] = "json"


class FolderSink:
    name = "folder"

    def __init__(self, settings: FolderSettings) -> None:
        self._settings = settings
        self._swept = False

    def target(self, request: DeliveryRequest) -> Path:
        return (
            self._settings.path / f"{request.berichttype}-{request.referentienummer}.{self._settings.format}"
        )

    async def deliver(self, request: DeliveryRequest) -> HubResult:
        body = request.json_body if self._settings.format == "json" else request.xml_body
        try:
            await asyncio.to_thread(self._write, self.target(request), body)
        except OSError as exc:
            return classified("io", f"cannot write to the folder: {exc.strerror}", peer=Peer.SINK)
        return HubResult(Outcome.DELIVERED)

    def _write(self, target: Path, body: bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        if not self._swept:
            removed = remove_stale_temporaries(target.parent)
            if removed:
                log.warning(
                    "removed %d unfinished temporary file(s) of an interrupted earlier write from %s",
                    len(removed),
                    target.parent,
                )
            self._swept = True
        write_private(target, body)

    async def close(self) -> None:
        return None

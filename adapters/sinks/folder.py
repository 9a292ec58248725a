"""Folder sink: one file per inbound message, written atomically.

The file appears complete or not at all: written to a hidden temporary name in the same folder,
flushed to disk, then renamed (``os.replace``) and the folder entry synced. Writing the same
message again is harmless (same name, same content), so a redelivery after a crash never makes a
second file. Files are named ``<berichttype>-<referentienummer>.<json|xml>``.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from gateway.engine.ports import Afleververzoek, HubResult, Outcome
from gateway.engine.retry import Peer, classified


@dataclass(frozen=True, slots=True)
class FolderSettings:
    path: Path
    format: Literal["json", "xml"] = "json"


class FolderSink:
    name = "folder"

    def __init__(self, settings: FolderSettings) -> None:
        self._settings = settings

    def target(self, verzoek: Afleververzoek) -> Path:
        return (
            self._settings.path / f"{verzoek.berichttype}-{verzoek.referentienummer}.{self._settings.format}"
        )

    async def lever_af(self, verzoek: Afleververzoek) -> HubResult:
        body = verzoek.json_body if self._settings.format == "json" else verzoek.xml_body
        try:
            await asyncio.to_thread(self._write, self.target(verzoek), body)
        except OSError as exc:
            return classified("io", f"cannot write to the folder: {exc.strerror}", peer=Peer.SINK)
        return HubResult(Outcome.DELIVERED)

    @staticmethod
    def _write(target: Path, body: bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        with open(temporary, "wb") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    async def close(self) -> None:
        return None

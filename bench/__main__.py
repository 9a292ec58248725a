"""`python -m bench [--quick] [--json FILE]`: each figure beside the floor measured in the same run.

Prints ``name  value  floor  ratio`` lines, where value and floor are messages per second on one
core and ratio = value / floor (1.0 means the gateway adds nothing to the unavoidable work).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.floor import make_floor
from bench.messages import betaalvoorstel
from bench.timing import interleaved
from gateway.xml.validate import validate_document


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    message: bytes
    func: Callable[[], object]


def figures(claim_counts: tuple[int, ...]) -> list[Figure]:
    result = []
    for claims in claim_counts:
        message = betaalvoorstel(claims)

        def validate(message: bytes = message) -> None:
            if not validate_document(message).ok:
                raise AssertionError("benchmark message is not valid")

        result.append(Figure(f"validate Betaalvoorstel {claims} claims", message, validate))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="short rounds (smoke test)")
    parser.add_argument("--json", type=Path, default=Path("bench/results/latest.json"))
    args = parser.parse_args(argv)
    rounds, seconds, claims = (2, 0.02, (1, 10)) if args.quick else (7, 0.2, (1, 10, 100))
    rows = []
    print(f"{'name':<44} {'value/s':>10} {'floor/s':>10} {'ratio':>6}")
    for figure in figures(claims):
        timings = interleaved({"figure": figure.func, "floor": make_floor(figure.message)}, rounds, seconds)
        value, floor = timings["figure"].per_second, timings["floor"].per_second
        rows.append({"name": figure.name, "value_per_s": value, "floor_per_s": floor, "ratio": value / floor})
        print(f"{figure.name:<44} {value:>10.0f} {floor:>10.0f} {value / floor:>6.2f}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "python": sys.version.split()[0],
                "machine": platform.machine(),
                "quick": args.quick,
                "figures": rows,
            },
            indent=2,
        )
    )
    print(f"written: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

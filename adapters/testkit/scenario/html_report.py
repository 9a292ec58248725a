"""A self-contained HTML report for people: inline CSS, no scripts, no external resources.
Written as well-formed XHTML-compatible markup, so XML tools can read it too.

At the top a summary table (scenario, result, duration, first failure, each linking to its
scenario); then per scenario a collapsible section (``<details>``, open when it failed) with a
timeline of its steps: duration, outcome, the message types and Referentienummers involved. Every
badge carries its own status class, so a passed step in a failed scenario stays green, and a count
of zero is grey. Message contents (names, BSN, addresses) are never shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from adapters.testkit.scenario.results import FAILED, PASSED, ScenarioResult

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#1d2430;background:#fafbfc}
h1{font-size:1.4rem;margin:0 0 .3rem}
.summary{margin:0 0 1rem;color:#4a5568}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:.6rem;font-weight:600;font-size:.8rem;
background:#edf0f3;color:#5a6472}
.badge.passed{background:#dff5e3;color:#1e6b31}
.badge.failed{background:#fde2e1;color:#9b1c1c}
.badge.skipped,.badge.none{background:#edf0f3;color:#5a6472}
table{border-collapse:collapse;width:100%;font-size:.85rem}
th,td{text-align:left;padding:.3rem .5rem;border-top:1px solid #edf0f3;vertical-align:top}
th{color:#5a6472;font-weight:600}
table.overview{background:#fff;border:1px solid #dde2e8;border-radius:.5rem;margin:0 0 1.5rem}
table.overview td.why{color:#9b1c1c}
td.num,td.ms{white-space:nowrap;text-align:right}
td.ref{font-family:ui-monospace,Menlo,monospace;font-size:.78rem}
a{color:#2b5797}
details{background:#fff;border:1px solid #dde2e8;border-radius:.5rem;margin:0 0 .8rem;padding:.5rem 1rem}
details.failed{border-left:.35rem solid #d64545}
details.passed{border-left:.35rem solid #38a169}
summary{cursor:pointer;font-size:1.02rem;font-weight:600;padding:.2rem 0}
summary .meta{font-weight:400}
.meta,.desc{color:#5a6472;font-size:.85rem;margin:.1rem 0}
.reason{background:#fff5f5;border:1px solid #f5c2c0;padding:.4rem .6rem;border-radius:.3rem;margin:.5rem 0}
details table{margin-top:.5rem}
.bar{display:inline-block;height:.55rem;background:#8da2c0;border-radius:.2rem;vertical-align:middle}
tr.failed td{background:#fff8f8}
tr.skipped td{color:#9aa3ae}
"""


def _count(count: int, status: str) -> str:
    """A count badge: coloured for what it counts only when there is something to count."""
    return f'<span class="badge {status if count else "none"}">{count} {status}</span>'


def html_report(results: Sequence[ScenarioResult], title: str = "skgw scenario report") -> str:
    passed = sum(1 for r in results if r.passed)
    failed = len(results) - passed
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"/>',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="summary">{len(results)} scenario(s): {_count(passed, PASSED)} {_count(failed, FAILED)}'
        f" · {sum(r.duration for r in results):.2f} s · {made}</p>",
        _overview(results),
    ]
    parts += [_scenario(i, r) for i, r in enumerate(results, start=1)]
    parts.append("</body></html>")
    return "\n".join(parts)


def _overview(results: Sequence[ScenarioResult]) -> str:
    """The summary table: one row per scenario, its result, duration and first failure."""
    rows = [
        '<table class="overview"><thead><tr><th>#</th><th>scenario</th><th>result</th>'
        "<th>duration</th><th>first failure</th></tr></thead><tbody>"
    ]
    for index, result in enumerate(results, start=1):
        status = PASSED if result.passed else FAILED
        rows.append(
            f'<tr class="{status}"><td class="num">{index}</td>'
            f'<td><a href="#scenario-{index}">{escape(result.name)}</a></td>'
            f'<td><span class="badge {status}">{status}</span></td>'
            f'<td class="ms">{result.duration:.2f} s</td>'
            f'<td class="why">{escape(_first_failure(result))}</td></tr>'
        )
    rows.append("</tbody></table>")
    return "\n".join(rows)


def _first_failure(result: ScenarioResult) -> str:
    if result.passed:
        return ""
    step = result.failed_step
    if result.error or step is None:
        return result.reason
    return f"step {step.number} '{step.name}': {step.detail}"


def _scenario(index: int, result: ScenarioResult) -> str:
    """One scenario, collapsible (<details>, no script): a failed one opens by itself."""
    status = PASSED if result.passed else FAILED
    opened = "" if result.passed else ' open=""'
    out = [
        f'<details class="{status}" id="scenario-{index}"{opened}>',
        f'<summary><span class="badge {status}">{status}</span> {escape(result.name)} '
        f'<span class="meta">· {result.duration:.2f} s</span></summary>',
        f'<p class="meta">{escape(str(result.path))} · {result.duration:.2f} s · '
        f"started {result.started_at.strftime('%H:%M:%S')} UTC</p>",
    ]
    if result.description:
        out.append(f'<p class="desc">{escape(result.description)}</p>')
    if not result.passed:
        out.append(f'<div class="reason">{escape(result.reason)}</div>')
    if result.steps:
        out.append(_timeline(result))
    out.append("</details>")
    return "\n".join(out)


def _timeline(result: ScenarioResult) -> str:
    longest = max((s.duration for s in result.steps), default=0.0) or 1.0
    rows = [
        "<table><thead><tr><th>#</th><th>step</th><th>outcome</th><th>duration</th>"
        "<th>message types</th><th>Referentienummer</th><th>detail</th></tr></thead><tbody>"
    ]
    for step in result.steps:
        width = max(1, int(60 * step.duration / longest)) if step.duration else 0
        rows.append(
            f'<tr class="{step.status}"><td class="num">{step.number}</td>'
            f"<td><b>{escape(step.name)}</b><br/>{escape(step.description)}<br/>"
            f'<span class="meta">{escape(step.source)}</span></td>'
            f'<td><span class="badge {step.status}">{step.status}</span></td>'
            f'<td class="ms">{step.duration * 1000:.1f} ms<br/>'
            f'<span class="bar" style="width:{width}px"></span></td>'
            f"<td>{escape(', '.join(step.berichttypen))}</td>"
            f'<td class="ref">{"<br/>".join(escape(r) for r in step.referentienummers)}</td>'
            f"<td>{escape(step.detail)}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "\n".join(rows)


def write_html(results: Sequence[ScenarioResult], path: Path) -> None:
    Path(path).write_text(html_report(results), encoding="utf-8")

"""JUnit XML for CI systems: one testsuite, one testcase per scenario; a failure names the step,
where it is written (file:line) and why it failed. The step timeline goes into system-out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from adapters.testkit.scenario.results import FAILED, ScenarioResult


def junit_xml(results: Sequence[ScenarioResult], suite: str = "skgw scenarios") -> bytes:
    failures = sum(1 for r in results if not r.passed)
    root = etree.Element(
        "testsuites", name=suite, tests=str(len(results)), failures=str(failures), errors="0"
    )
    testsuite = etree.SubElement(
        root,
        "testsuite",
        name=suite,
        tests=str(len(results)),
        failures=str(failures),
        errors="0",
        skipped="0",
        time=f"{sum(r.duration for r in results):.3f}",
        timestamp=results[0].started_at.strftime("%Y-%m-%dT%H:%M:%S") if results else "",
    )
    for result in results:
        case = etree.SubElement(
            testsuite,
            "testcase",
            name=result.name,
            classname=f"scenario.{Path(result.path).stem}",
            file=str(result.path),
            time=f"{result.duration:.3f}",
        )
        if not result.passed:
            failure = etree.SubElement(case, "failure", message=result.reason, type="ScenarioFailure")
            failure.text = result.reason
        etree.SubElement(case, "system-out").text = "\n".join(_timeline(result))
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)


def _timeline(result: ScenarioResult) -> list[str]:
    lines = []
    for step in result.steps:
        types = ", ".join(step.berichttypen)
        refs = ", ".join(step.referentienummers)
        extra = f" [{types}{' ' + refs if refs else ''}]" if types else ""
        mark = "FAILED " if step.status == FAILED else ""
        lines.append(
            f"{step.number:>2}. {step.status:<7} {step.duration * 1000:7.1f} ms  {step.description}{extra}"
            f"  {mark}{step.detail}".rstrip()
        )
    return lines


def write_junit(results: Sequence[ScenarioResult], path: Path) -> None:
    Path(path).write_bytes(junit_xml(results))

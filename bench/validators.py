"""The two validators side by side: pySHACL (``KG_VALIDATOR=pyshacl``) and SHACL Core in Oxigraph.

For each scale, on the synthetic project of ``bench/synth.py``, interleaved (A, B, A, B, ...):
`oxigraph load` of one stream, `kg build` (validated) with each validator, `kg validate` from
scratch with each, and `kg validate` after one edited project file with each. Prints medians
with the load average and writes ``bench/results/validators.json``.

Usage: python bench/validators.py [--scales 1,100] [--runs 3] [--engines pyshacl,sparql]
                                  [--before KG [--before-shapes DIR]] [--builds-only]

``--before KG`` adds a variant ``before``: the in-store validator of another kg command (a
checkout of an earlier commit, say ``PYTHONPATH=CHECKOUT exec python -P -m kg "$@"``: without
``-P``, ``python -m`` puts the working directory first on the path, and this checkout's kg wins),
so a change is measured side by side with what it changes. ``--before-shapes DIR`` gives that
variant the shapes of DIR (an earlier commit's ``shapes/``, say) in a project of its own that
links to the same data, so a change of the shapes is measured too. ``--builds-only`` times
the load and the builds alone (a whole ``kg validate`` at 1000x takes minutes, writing its state).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from run import fresh_build, interleaved, one_stream, oxigraph_load, ratio, run_once
from synth import generate

ENGINES = ("pyshacl", "sparql")


def measure(scale: int, runs: int, work: Path, kg: str, oxigraph: str,
            engines: tuple[str, ...] = ENGINES, before: str | None = None,
            builds_only: bool = False, before_shapes: Path | None = None) -> dict:
    project = work / f"project-{scale}x"
    generate(scale, project)
    files = sorted(p for part in ("ontology", "data") for p in (project / part).rglob("*.ttl"))
    stream = one_stream(files, work / f"stream-{scale}x.ttl")
    env = {**os.environ, "KG_PROJECT": str(project)}
    env.pop("KG_PROGRESS_DELAY", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    commands = {engine: kg for engine in engines}
    if before is not None:
        commands["before"] = before
    stores = {engine: work / f"store-{scale}x-{engine}" for engine in commands}
    envs = {engine: {**env, "KG_VALIDATOR": "sparql" if engine == "before" else engine,
                     "KG_STORE": str(stores[engine])}
            for engine in commands}
    if before is not None and before_shapes is not None:
        envs["before"]["KG_PROJECT"] = str(with_shapes(project, before_shapes,
                                                       work / f"project-{scale}x-before"))
    engines = tuple(commands)
    steps = interleaved({
        "oxigraph load": lambda: oxigraph_load(oxigraph, stream, work / "ox", env),
        **{f"kg build ({e})": (lambda e=e: fresh_build(commands[e], stores[e], envs[e]))
           for e in engines},
    }, runs, 600)
    ratios = {f"kg build ({e}) / oxigraph load": ratio(steps[f"kg build ({e})"],
                                                        steps["oxigraph load"])
              for e in engines}
    if builds_only:
        return {"scale": scale, "steps": steps, "ratios": ratios}

    def cold(engine: str):
        shutil.rmtree(stores[engine] / "validation-cache", ignore_errors=True)
        return run_once([commands[engine], "validate"], envs[engine])

    edited = sorted((project / "data" / "projects").rglob("*.ttl"))[-1]
    original = edited.read_text(encoding="utf-8")
    edits = iter(range(1_000_000))

    def after_edit(engine: str):
        run_once([commands[engine], "validate"], envs[engine])
        edited.write_text(original + f"\n# edit {next(edits)}\n", encoding="utf-8")
        return run_once([commands[engine], "validate"], envs[engine])

    steps.update(interleaved({f"kg validate ({e})": (lambda e=e: cold(e)) for e in engines},
                             runs, 600))
    steps.update(interleaved({f"kg validate, one file edited ({e})": (lambda e=e: after_edit(e))
                              for e in engines}, runs, 600))
    edited.write_text(original, encoding="utf-8")
    return {"scale": scale, "steps": steps, "ratios": ratios}


def with_shapes(project: Path, shapes: Path, target: Path) -> Path:
    """``project`` with the shapes of ``shapes``: its other parts linked, not copied."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for part in project.iterdir():
        if part.name != "shapes":
            (target / part.name).symlink_to(part.resolve(), target_is_directory=part.is_dir())
    shutil.copytree(shapes, target / "shapes")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="1,100")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--before", metavar="KG", help="another kg command, measured beside")
    parser.add_argument("--before-shapes", metavar="DIR", type=Path,
                        help="the shapes/ the --before variant validates against")
    parser.add_argument("--builds-only", action="store_true",
                        help="the one-stream load and the builds alone")
    parser.add_argument("--output", default="validators", help="bench/results/OUTPUT.json")
    args = parser.parse_args()
    from kg.serve.assets import oxigraph_binary

    kg, oxigraph = str(Path(sys.executable).parent / "kg"), oxigraph_binary()
    report = []
    with tempfile.TemporaryDirectory(prefix="kg-validators-") as tmp:
        for scale in (int(s) for s in args.scales.split(",")):
            result = measure(scale, args.runs, Path(tmp), kg, oxigraph,
                             tuple(args.engines.split(",")), args.before, args.builds_only,
                             args.before_shapes)
            report.append(result)
            for name, figures in result["steps"].items():
                print(f"[{scale}x] {name}: median {figures['median_s']} s "
                      f"({figures['min_s']}-{figures['max_s']}), {figures['peak_mb']} MB, "
                      f"load {figures['load_1m']} (max {figures['load_1m_max']})", flush=True)
            for name, figures in result["ratios"].items():
                print(f"[{scale}x] {name}: {figures}", flush=True)
    out = Path(__file__).parent / "results" / f"{args.output}.json"
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""Every document the code and the docs point to is in the repository."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC_REF = re.compile(r"\bdocs/[\w.-]+\.md\b")
# A path in backticks inside a document: `training/stage1.py`, `adapters/itune-default/`.
PATH_REF = re.compile(
    r"`((?:app|itune_core|training|ui|storage|benchmarks|adapters|docs|tests)"
    r"(?:/[\w.-]+)*(?:\.\w+|/)?)`"
)


def _tracked(*patterns: str) -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", *patterns],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [ROOT / line for line in out.stdout.splitlines() if (ROOT / line).is_file()]


def test_every_docs_reference_resolves():
    files = _tracked("*.py", "*.yaml", "*.yml", "*.md", "*.toml", "Makefile", "Dockerfile")
    assert len(files) > 50
    missing = {
        f"{path.relative_to(ROOT)}: {ref}"
        for path in files
        for ref in DOC_REF.findall(path.read_text(encoding="utf-8", errors="replace"))
        if not (ROOT / ref).is_file()
    }
    assert not missing, sorted(missing)


def test_the_docs_name_only_files_that_exist():
    docs = _tracked("docs/*.md", "README.md")
    assert {p.name for p in docs} >= {"method.md", "architecture.md", "formats.md", "README.md"}
    missing = set()
    for path in docs:
        for ref in PATH_REF.findall(path.read_text(encoding="utf-8")):
            candidate = ref if not ref.endswith(".py") or "/" in ref or ref == "app.py" else None
            if candidate and not (ROOT / candidate).exists():
                missing.add(f"{path.relative_to(ROOT)}: {ref}")
    assert not missing, sorted(missing)

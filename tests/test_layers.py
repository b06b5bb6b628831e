"""The layer contracts in pyproject.toml hold for the tree, and they do catch an upward import: the same
contracts run over a copy of the package into which an upward import has been written."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = str(Path(sys.executable).with_name("lint-imports"))


def lint(where: Path) -> subprocess.CompletedProcess:
    # the copy must shadow the installed package: it comes first on the path, and lint-imports runs from it
    env = {**os.environ, "PYTHONPATH": str(where)}
    return subprocess.run([LINT, "--config", str(where / "pyproject.toml"), "--no-cache"], cwd=where, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def copy_of_the_tree(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "warmth", tmp_path / "warmth", ignore=shutil.ignore_patterns(
        "static", "templates", "data", "forms", "__pycache__", "*.json", "*.txt"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def append(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_tree_keeps_every_contract():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken" in result.stdout


def test_the_untouched_copy_keeps_every_contract(tmp_path):
    # the copy alone passes, so the failures below come from the written import and nothing else
    result = lint(copy_of_the_tree(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_lower_app_importing_an_upper_one_breaks_the_layers(tmp_path):
    tree = copy_of_the_tree(tmp_path)
    append(tree / "warmth/archives/rules.py", "from warmth.payments import models as _upper  # noqa")
    result = lint(tree)
    assert result.returncode == 1
    assert "warmth.archives is not allowed to import warmth.payments" in result.stdout
    assert "warmth.archives.rules -> warmth.payments.models" in result.stdout


def test_an_upward_import_through_a_module_outside_the_layers_breaks_them_too(tmp_path):
    tree = copy_of_the_tree(tmp_path)
    (tree / "warmth/go_between.py").write_text("import warmth.reports.engine  # noqa\n", encoding="utf-8")
    append(tree / "warmth/core/money.py", "import warmth.go_between  # noqa")
    result = lint(tree)
    assert result.returncode == 1
    assert "warmth.core is not allowed to import warmth.reports" in result.stdout
    assert "warmth.core.money -> warmth.go_between" in result.stdout


def test_a_product_module_importing_the_demo_breaks_the_demo_contract(tmp_path):
    tree = copy_of_the_tree(tmp_path)
    append(tree / "warmth/dashboard/queries.py", "from warmth.demo.pipeline import DEMO_PASSWORD  # noqa")
    result = lint(tree)
    assert result.returncode == 1
    assert "warmth.dashboard.queries -> warmth.demo.pipeline" in result.stdout

"""The wheel works outside the checkout.

The wheel is built offline (``python -m build --no-isolation``: sdist, then the wheel from the
sdist) from a copy of the sources without compiled catalogues, and installed with ``--no-deps``
into a fresh virtualenv in a temporary folder. That virtualenv sees the repository venv's
site-packages through a ``.pth`` file written after the install, so the dependencies come from
there and nothing is downloaded; the checkout's own editable install does not leak in (its
``__editable__`` hook is a .pth file, and .pth files are only read in site directories). Every
command runs with its working directory and instance folder outside the repository.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from gettext import GNUTranslations
from io import BytesIO
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("toolkit", "questionnaires", "templates", "setup.cfg", "pyproject.toml", "README.md")


def run(*args, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120):
    """Run a command; fail the test with its output when it exits non-zero."""
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(map(str, args))} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a clean copy of the sources (no caches, no compiled .mo files)."""
    work = tmp_path_factory.mktemp("wheel-build")
    source = work / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "*.egg-info")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=ignore)
        else:
            shutil.copy2(ROOT / name, source / name)
    assert not list(source.rglob("*.mo"))
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", work / "dist", source, cwd=work)
    [built] = (work / "dist").glob("persona_toolkit-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtualenv outside the repository with the wheel installed; returns its folder."""
    folder = tmp_path_factory.mktemp("wheel-venv") / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", folder, cwd=folder.parent)
    python = folder / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "--disable-pip-version-check", "install",
        "-q", "--no-deps", "--no-index", wheel, cwd=folder.parent)
    own_site = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                   cwd=folder.parent).stdout.strip()
    repo_site = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(own_site, "zz_repo_venv_dependencies.pth").write_text("\n".join(sorted(repo_site)) + "\n")
    return folder


@pytest.fixture
def outside(venv, tmp_path) -> tuple[Path, dict[str, str]]:
    """A working directory outside the repository and the environment to run the venv in."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PERSONA_TOOLKIT_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", MPLBACKEND="Agg",
               PERSONA_TOOLKIT_INSTANCE=str(tmp_path / "instance"))
    work = tmp_path / "work"
    work.mkdir()
    return work, env


def test_wheel_holds_every_package_the_data_and_compiled_catalogues(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {p.relative_to(ROOT).as_posix() for p in (ROOT / "toolkit").rglob("__init__.py")}
    assert packages and packages <= names
    data = ROOT / "questionnaires", ROOT / "templates"
    expected = {f"toolkit/_data/{p.relative_to(ROOT).as_posix()}"
                for folder in data for p in folder.rglob("*") if p.is_file()}
    assert {"toolkit/_data/questionnaires/README.md", "toolkit/_data/templates/mail/messages.nl.po",
            "toolkit/_data/templates/briefs/brief-nl.docx", "toolkit/_data/questionnaires/pulse.toml"} <= expected
    assert expected <= names
    assert "toolkit/web/static/style.css" in names
    with zipfile.ZipFile(wheel) as archive:
        catalogue = GNUTranslations(BytesIO(archive.read("toolkit/translations/nl/LC_MESSAGES/messages.mo")))
    assert catalogue.gettext("Log in") == "Inloggen"
    assert "toolkit/translations/en/LC_MESSAGES/messages.mo" in names


def test_installed_toolkit_is_the_wheel_not_the_checkout(venv, outside):
    work, env = outside
    script = "import json, toolkit, toolkit.paths as p; print(json.dumps([toolkit.__file__, p.IN_CHECKOUT, str(p.TEMPLATES)]))"
    location, in_checkout, templates = json.loads(run(venv / "bin" / "python", "-c", script, cwd=work, env=env).stdout)
    assert Path(location).is_relative_to(venv)
    assert not in_checkout
    assert Path(templates).is_relative_to(venv) and templates.endswith("toolkit/_data/templates")


def test_init_db_and_questionnaire_list_run_from_the_wheel(venv, outside):
    work, env = outside
    run("persona-toolkit", "init-db", cwd=work, env=env)
    assert (Path(env["PERSONA_TOOLKIT_INSTANCE"]) / "toolkit.db").is_file()
    listing = run("persona-toolkit", "questionnaire", "list", cwd=work, env=env).stdout
    listed = {line.split("\t")[0]: line for line in listing.splitlines()}
    assert {"default", "pulse"} <= set(listed)
    assert "INVALID" not in listing


def test_login_page_is_served_in_dutch_with_its_stylesheet(venv, outside):
    work, env = outside
    run("persona-toolkit", "init-db", cwd=work, env=env)
    script = textwrap.dedent("""
        import json
        from toolkit import create_app
        client = create_app().test_client()
        page, css = client.get("/login"), client.get("/static/style.css")
        print(json.dumps([page.status_code, page.get_data(as_text=True), css.status_code]))
    """)
    status, html, css_status = json.loads(run(venv / "bin" / "python", "-c", script, cwd=work, env=env).stdout)
    assert status == 200 and css_status == 200
    assert '<html lang="nl">' in html
    assert "<h1>Inloggen</h1>" in html


PO_HEADER = 'msgid ""\nmsgstr ""\n"Language: nl\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'


def write_po(folder: Path, body: str, header: str = PO_HEADER) -> Path:
    path = folder / "nl" / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True)
    path.write_text(header + body, encoding="utf-8")
    return path


def test_build_step_compiles_a_catalogue_and_leaves_fuzzy_entries_out(tmp_path):
    from toolkit._build import compile_catalogue

    po = write_po(tmp_path, 'msgid "Log in"\nmsgstr "Inloggen"\n\n#, fuzzy\nmsgid "Password"\nmsgstr "Wachtwoordje"\n')
    with compile_catalogue(po).open("rb") as handle:
        catalogue = GNUTranslations(handle)
    assert catalogue.gettext("Log in") == "Inloggen"
    assert catalogue.gettext("Password") == "Password"


def test_build_step_stops_on_a_fuzzy_or_broken_catalogue(tmp_path):
    from setuptools.errors import SetupError

    from toolkit._build import compile_catalogue

    fuzzy = write_po(tmp_path / "fuzzy", 'msgid "Log in"\nmsgstr "Inloggen"\n', header="#, fuzzy\n" + PO_HEADER)
    with pytest.raises(SetupError, match="marked fuzzy"):
        compile_catalogue(fuzzy)
    broken = write_po(tmp_path / "broken", 'msgid "Hello %(name)s"\nmsgstr "Hallo %(naam)s"\n')
    with pytest.raises(SetupError, match=r"'nl' catalogue has errors:\n.*Hello %\(name\)s"):
        compile_catalogue(broken)
    assert not list(tmp_path.rglob("*.mo"))

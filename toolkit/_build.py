"""Wheel build step: bundle the top-level data folders and compile the translation catalogues.

setup.cfg names :class:`BuildPy` as the ``build_py`` command (``[options] cmdclass``). setuptools
loads this file by its path while it builds a wheel or an sdist, so it imports nothing from
``toolkit`` and the app never imports it at run time.

Two things the stock ``build_py`` cannot do from setup.cfg alone:

- Data packages. ``questionnaires/`` and ``templates/`` stay at the top of the repository (the
  product card). setup.cfg maps them with ``package_dir`` to ``toolkit._data.questionnaires`` and
  ``toolkit._data.templates`` and lists their files in ``package_data``; ``packages = find:``
  cannot name them, so every ``package_dir`` entry other than the root is added here to the
  packages this command builds. The wheel then holds ``toolkit/_data/...``, where
  ``toolkit.paths`` looks when it is not running from a checkout.
- Compiled catalogues. ``*.mo`` files are not committed (``.gitignore``). Every
  ``toolkit/translations/<lang>/LC_MESSAGES/messages.po`` is compiled with Babel into the build
  folder, beside its copy of the ``.po``. A missing Babel, a missing catalogue, a catalogue marked
  fuzzy in its header or one with format errors stops the build with a message that says which.

Editable installs (``pip install -e``, used by ``make install``) skip both: a checkout reads the
top-level folders and the catalogues that ``make translations`` compiles in place.
"""

from __future__ import annotations

from pathlib import Path

from setuptools.command.build_py import build_py
from setuptools.errors import SetupError

CATALOGUE_PACKAGE = "toolkit"
CATALOGUE_GLOB = "translations/*/LC_MESSAGES/messages.po"


class BuildPy(build_py):
    """``build_py`` that also builds the data packages and compiles ``messages.po`` to ``.mo``.

    Raises ``setuptools.errors.SetupError`` when the catalogues cannot be compiled (see the module
    docstring); the build then fails instead of shipping a wheel with untranslated pages.
    """

    def finalize_options(self) -> None:
        """Add every ``package_dir`` target other than the root to the packages to build."""
        super().finalize_options()
        if self.editable_mode:
            return
        self.packages = list(self.packages or [])
        for package in self.package_dir or {}:
            if package and package not in self.packages:
                self.packages.append(package)

    def run(self) -> None:
        """Build as usual, then compile the catalogues into the build folder (not when editable)."""
        super().run()
        if not self.editable_mode:
            for mo_path in self._compiled_catalogues():
                self.announce(f"compiled {mo_path}", level=2)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        """The stock outputs plus one ``messages.mo`` per catalogue (paths in the build folder)."""
        outputs = list(super().get_outputs(include_bytecode))
        if not self.editable_mode:
            outputs += [str(po.with_suffix(".mo")) for po in self._built_catalogues()]
        return outputs

    def _built_catalogues(self) -> list[Path]:
        """The ``messages.po`` copies in the build folder, sorted; empty before ``run``."""
        package_dir = Path(self.build_lib, *CATALOGUE_PACKAGE.split("."))
        return sorted(package_dir.glob(CATALOGUE_GLOB))

    def _compiled_catalogues(self) -> list[Path]:
        """Compile each built ``messages.po`` to ``messages.mo`` beside it; returns the .mo paths."""
        catalogues = self._built_catalogues()
        if not catalogues:
            raise SetupError(
                f"No translation catalogues ({CATALOGUE_PACKAGE}/{CATALOGUE_GLOB}) reached the build "
                "folder; check [options.package_data] in setup.cfg."
            )
        return [compile_catalogue(po) for po in catalogues]


def compile_catalogue(po_path: Path) -> Path:
    """Compile one gettext catalogue ``.../<lang>/LC_MESSAGES/messages.po`` to ``messages.mo``.

    Fuzzy entries are left out, as ``pybabel compile`` does. Returns the path of the ``.mo``
    written beside ``po_path``. Raises ``SetupError`` when Babel is not installed, when the
    catalogue's header is marked fuzzy (``pybabel compile`` would silently skip the whole file)
    or when Babel's checks find errors such as mismatched format placeholders.
    """
    try:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po
    except ImportError as exc:
        raise SetupError(
            "Building the wheel compiles the translation catalogues and needs Babel: "
            "`pip install Babel`, or build with isolation (`python -m build`), which installs it."
        ) from exc
    locale = po_path.parent.parent.name
    with po_path.open("rb") as handle:
        catalogue = read_po(handle, locale=locale)
    if catalogue.fuzzy:
        raise SetupError(f"{po_path.name} for {locale!r} is marked fuzzy in its header; clear the flag.")
    problems = [
        f"  {message.id!r}: {'; '.join(str(error) for error in errors)}"
        for message, errors in catalogue.check()
    ]
    if problems:
        raise SetupError(f"The {locale!r} catalogue has errors:\n" + "\n".join(problems))
    mo_path = po_path.with_suffix(".mo")
    with mo_path.open("wb") as handle:
        write_mo(handle, catalogue, use_fuzzy=False)
    return mo_path

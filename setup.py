"""Build hook: compile the gettext catalogs (config/locale/*/LC_MESSAGES/*.po) with Babel.

Everything else about the package is in pyproject.toml. The compiled .mo files are build
products: they go into the wheel (or, for an editable install, next to the .po files) and
are never committed.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

LOCALE = Path("config", "locale")


def compile_catalogs(target_root: Path) -> list[str]:
    """Compile every .po under config/locale into a .mo under target_root; the paths written."""
    written = []
    for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parts[-3])
        mo_path = target_root / po_path.with_suffix(".mo")
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        written.append(str(mo_path))
    return written


class BuildWithCatalogs(build_py):
    """build_py that also compiles the translations."""

    def run(self) -> None:
        """Copy the packages, then compile the catalogs beside them."""
        super().run()
        # An editable install imports config/ from the source tree, so compile in place.
        target = Path(".") if self.editable_mode else Path(self.build_lib)
        self._catalogs = compile_catalogs(target)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        """The copied files and the compiled catalogs (so wheels include them)."""
        return [*super().get_outputs(include_bytecode), *getattr(self, "_catalogs", [])]


setup(cmdclass={"build_py": BuildWithCatalogs})

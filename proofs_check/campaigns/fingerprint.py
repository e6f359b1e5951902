"""What code makes a task's result: hashes of the memgd sources, of a user's modules, and library versions.

- ``code_fingerprint()``: SHA-256 over every ``.py`` file of the installed ``memgd``
  package (each file's path inside the package and its bytes, in sorted order), the memgd
  version and the versions of the libraries whose arithmetic enters the results
  (:data:`NUMERICAL_LIBRARIES`).  Computed once per process (30 ms for 123 files on a busy core),
  then cached: a file edited while a campaign runs does not change its keys midway.
- :func:`user_module_files`: the files of the modules outside memgd, the standard library
  and the installed packages that define a task's function or the classes and functions
  inside its parameters (a user's rule module, walked through dataclasses, tuples, lists,
  dicts and plain objects, and a function named by a ``"module:qualname"`` string, as the
  report's whole-section tasks are); :func:`file_digest` hashes each.

Either changes the task key (:mod:`memgd.proofs_check.campaigns.tasks`): a result is reused
only by the code that made it.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.util
import sys
import sysconfig
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from memgd import __version__

#: memgd's subpackages; an editable install maps each to its own folder (pyproject's package-dir), so
#: the folder of ``memgd`` alone does not hold them.  tests/test_campaigns.py checks the list is complete.
SUBPACKAGES = ("solvers", "theory", "proofs_check", "figures", "benchmarks")

#: distributions whose arithmetic enters stored results (hypothesis: the examples its searches draw)
NUMERICAL_LIBRARIES = ("numpy", "scipy", "sympy", "cvxpy", "clarabel", "scs", "pepit", "hypothesis")


def package_roots() -> dict[str, Path]:
    """Folder of ``memgd`` and of each subpackage, by dotted name (subpackages inside memgd's folder dropped)."""
    roots: dict[str, Path] = {}
    for name in ("memgd", *(f"memgd.{s}" for s in SUBPACKAGES)):
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        roots[name] = Path(list(spec.submodule_search_locations)[0]).resolve()
    top = roots.get("memgd")
    return {n: p for n, p in roots.items() if n == "memgd" or top is None or not p.is_relative_to(top)}


def source_files() -> dict[str, Path]:
    """Every ``.py`` file of the installed memgd, by its path inside the package (``memgd/solvers/runner.py``)."""
    files = {}
    for name, root in package_roots().items():
        prefix = name.replace(".", "/")
        for path in root.rglob("*.py"):
            files[f"{prefix}/{path.relative_to(root).as_posix()}"] = path
    return dict(sorted(files.items()))


def library_versions() -> dict[str, str | None]:
    """Installed version of each of :data:`NUMERICAL_LIBRARIES` (None where not installed)."""
    out = {}
    for name in NUMERICAL_LIBRARIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


@functools.cache
def code_fingerprint() -> str:
    """SHA-256 (hex, 32 characters) of memgd's sources, its version and the numerical libraries' versions."""
    h = hashlib.sha256(f"memgd {__version__}\n".encode())
    for name, path in source_files().items():
        h.update(f"{name}\n".encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    for name, v in library_versions().items():
        h.update(f"{name} {v}\n".encode())
    return h.hexdigest()[:32]


def file_digest(path: str | Path) -> str:
    """SHA-256 (hex, 32 characters) of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:32]


@functools.cache
def _installed_prefixes() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    dirs = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    dirs |= {p for p in sys.path if p.endswith(("site-packages", "dist-packages"))}
    return tuple(str(Path(d).resolve()) for d in dirs)


def _user_file(module_name: str | None) -> str | None:
    """The file of ``module_name`` if it is a user's module (not memgd, not the standard library or installed)."""
    if not module_name or module_name == "memgd" or module_name.startswith("memgd.") or module_name == "builtins":
        return None
    module = sys.modules.get(module_name)
    file = getattr(module, "__file__", None)
    if not file:
        return None
    resolved = str(Path(file).resolve())
    if any(resolved.startswith(prefix + "/") or resolved == prefix for prefix in _installed_prefixes()):
        return None
    return resolved


_ATOMS = (str, bytes, int, float, complex, bool, type(None))


def user_module_files(*objects, depth: int = 6) -> tuple[str, ...]:
    """Files of the user modules defining ``objects`` or anything inside them (sorted, without repeats)."""
    found: set[str] = set()
    seen: set[int] = set()

    def walk(obj, level: int) -> None:
        if isinstance(obj, str) and ":" in obj:  # a function named "module:qualname" (the report's section tasks)
            file = _user_file(obj.partition(":")[0])
            if file:
                found.add(file)
        if isinstance(obj, _ATOMS) or id(obj) in seen or level > depth:
            return
        seen.add(id(obj))
        if isinstance(obj, type) or callable(obj) and hasattr(obj, "__module__") and hasattr(obj, "__qualname__"):
            file = _user_file(getattr(obj, "__module__", None))
            if file:
                found.add(file)
            for inner in (getattr(obj, "func", None), getattr(obj, "__self__", None)):  # partials, bound methods
                if inner is not None:
                    walk(inner, level + 1)
            return
        file = _user_file(type(obj).__module__)
        if file:
            found.add(file)
        if isinstance(obj, dict):
            for k, v in obj.items():
                walk(k, level + 1)
                walk(v, level + 1)
        elif isinstance(obj, (list, tuple, set, frozenset)):
            for v in obj:
                walk(v, level + 1)
        elif dataclasses.is_dataclass(obj):
            for f in dataclasses.fields(obj):
                walk(getattr(obj, f.name, None), level + 1)
        elif hasattr(obj, "__dict__") and type(obj).__module__.split(".")[0] not in ("numpy", "scipy"):
            for v in vars(obj).values():
                walk(v, level + 1)

    for obj in objects:
        walk(obj, 0)
    return tuple(sorted(found))

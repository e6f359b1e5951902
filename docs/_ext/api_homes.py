"""Where each public object of memgd is documented: once, under its shortest public name.

memgd's packages re-export their main objects (``memgd.solvers.run`` is defined in
``memgd.solvers.runner``).  The API pages document every object exactly once, on the
page of the shortest module path that exports it in ``__all__`` (so the reference is
``memgd.solvers.run``), and everything else on the page of the module defining it.
:func:`homes` returns, for every module, the names its page documents; the autosummary
module template (``docs/_templates/autosummary/module.rst``) reads it.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

ROOTS = ("memgd.solvers", "memgd.theory", "memgd.proofs_check", "memgd.figures")


def _modules() -> list[str]:
    names: list[str] = []
    for root in ROOTS:
        names.append(root)
        pkg = importlib.import_module(root)
        for info in pkgutil.walk_packages(pkg.__path__, prefix=root + "."):
            if info.name.rsplit(".", 1)[-1].startswith("_"):
                continue
            names.append(info.name)
    return names


def _public(module) -> list[str]:
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return [n for n, v in vars(module).items()
            if not n.startswith("_") and getattr(v, "__module__", None) == module.__name__
            and (inspect.isclass(v) or inspect.isfunction(v))]


def _assigns(module, name: str) -> bool:
    """Whether the module's source assigns ``name`` at top level."""
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        return False
    return re.search(rf"^{re.escape(name)}\s*(:[^=]*)?=", source, re.M) is not None


def homes() -> dict[str, list[str]]:
    """Module name -> the member names its page documents (each object on one page only)."""
    mods = sorted(_modules(), key=lambda m: (m.count("."), m))
    modules = {m: importlib.import_module(m) for m in mods}
    seen: set[int] = set()
    out: dict[str, list[str]] = {m: [] for m in mods}
    for m in mods:
        for name in _public(modules[m]):
            obj = getattr(modules[m], name, None)
            if obj is None or inspect.ismodule(obj) or id(obj) in seen:
                continue
            seen.add(id(obj))
            if inspect.isclass(obj) or inspect.isfunction(obj):
                out[m].append(name)  # shortest public path
            else:
                # data (a constant): autodoc documents it only where its source defines it,
                # which is the deepest module holding the same object under the same name
                holders = [h for h in mods if vars(modules[h]).get(name) is obj]
                defining = [h for h in holders if _assigns(modules[h], name)]
                out[(defining or holders)[-1]].append(name)
    return out


def shadowed(doc_homes: dict[str, list[str]]) -> list[str]:
    """Modules whose full name is also a documented object (``memgd.theory.quadratic_rate``
    is a module and a function): their page is shown without index entries."""
    objects = {f"{m}.{n}" for m, names in doc_homes.items() for n in names}
    return [m for m in doc_homes if m in objects]


def aliases(doc_homes: dict[str, list[str]]) -> dict[str, str]:
    """Name a reference may use -> the documented name.

    Signatures and docstrings name objects by their defining module
    (``memgd.solvers.runner.RunResult``) or, inside a module's docstring, by their bare
    name (``certify``); the pages document them under their public name.  Maps the
    defining-module name, every re-exporting module's name and the bare name (when it
    names one object only) to it.
    """
    out: dict[str, str] = {}
    bare: dict[str, set[str]] = {}
    for m, names in doc_homes.items():
        module = importlib.import_module(m)
        for n in names:
            public = f"{m}.{n}"
            obj = getattr(module, n)
            defining = getattr(obj, "__module__", None)
            qual = getattr(obj, "__qualname__", n)
            if isinstance(defining, str) and (inspect.isclass(obj) or inspect.isfunction(obj)):
                out.setdefault(f"{defining}.{qual}", public)
            elif not (inspect.isclass(obj) or inspect.isfunction(obj)):
                for other in doc_homes:  # a constant re-exported elsewhere: memgd.theory.LEMMAS
                    if other != m and vars(importlib.import_module(other)).get(n) is obj:
                        out.setdefault(f"{other}.{n}", public)
            bare.setdefault(n, set()).add(public)
    for m in doc_homes:  # re-exports: memgd.solvers.selection.Fifo -> memgd.solvers.Fifo
        module = importlib.import_module(m)
        for n in _public(module):
            obj = getattr(module, n, None)
            for home, names in doc_homes.items():
                if n in names and getattr(importlib.import_module(home), n) is obj and home != m:
                    out.setdefault(f"{m}.{n}", f"{home}.{n}")
    for n, targets in bare.items():
        if len(targets) == 1:
            out.setdefault(n, next(iter(targets)))
    return out


def setup(app):
    """Resolve references by defining-module or bare names to the documented public name."""
    table = aliases(homes())

    def missing(app, env, node, contnode):
        if node.get("refdomain") != "py":
            return None
        target = node.get("reftarget", "")
        new = table.get(target) or table.get(target.rsplit(".", 1)[-1]) if target not in table else table[target]
        if not new or new == target:
            return None
        domain = env.get_domain("py")
        return domain.resolve_any_xref(env, node["refdoc"], app.builder, new, node, contnode)[0][1] \
            if domain.resolve_any_xref(env, node["refdoc"], app.builder, new, node, contnode) else None

    app.connect("missing-reference", missing)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""The picture of the code drawn from its imports: no circles, no arrow up the layers."""

import ast
import graphlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "meetings"

# Lower layers never import higher ones. Within a layer only the same feature is imported, except
# where a pair is listed in SIDEWAYS.
LAYERS = [
    {"extensions", "config", "database", "errors", "models", "i18n", "dates", "countries",
     "markup", "secret_tokens", "ical", "frab", "web", "translations", "mail_site"},
    {"audit"},
    {"mail"},
    {"editions"},
    {"venues"},
    {"agenda"},
    {"registration"},
    {"attendance"},
    {"feeds", "accounts", "badges", "visas", "health"},
    {"checkin"},
    {"certificates", "delegations"},
    {"demo", "cli", ""},  # "" is meetings/__init__.py, the app factory
]
SIDEWAYS = {(a, b) for layer in (LAYERS[0], LAYERS[-1]) for a in layer for b in layer}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Every import between meetings modules, deferred ones inside functions included."""
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")
               if "migrations" not in path.parts}
    graph = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("meetings"):
                submodules = [f"{node.module}.{alias.name}" for alias in node.names
                              if f"{node.module}.{alias.name}" in modules]
                targets = submodules or [node.module]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            graph[name] |= {target for target in targets if target in modules and target != name}
    return graph


def edges(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    return [(importer, imported) for importer, targets in graph.items() for imported in targets]


def feature(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def layer(module: str) -> int:
    return next(i for i, members in enumerate(LAYERS) if feature(module) in members)


def test_every_module_has_a_layer():
    for module in import_graph():
        assert any(feature(module) in members for members in LAYERS), module


def test_no_import_circles():
    try:
        graphlib.TopologicalSorter(import_graph()).prepare()
    except graphlib.CycleError as error:
        pytest.fail(f"import circle: {' -> '.join(error.args[1])}")


def test_no_arrow_from_a_lower_layer_up_or_sideways_between_features():
    wrong = []
    for importer, imported in edges(import_graph()):
        a, b = feature(importer), feature(imported)
        if a == b or (a, b) in SIDEWAYS:
            continue
        if layer(imported) >= layer(importer):
            wrong.append(f"{importer} -> {imported}")
    assert wrong == []


@pytest.mark.parametrize("feature_name", ["agenda", "attendance", "editions", "registration",
                                          "venues", "feeds", "mail", "audit", "accounts"])
def test_each_feature_has_one_blueprint_module_that_no_view_module_shares(feature_name):
    graph = import_graph()
    owner = f"meetings.{feature_name}.blueprint"
    assert owner in graph
    for importer, imported in edges(graph):
        if imported.endswith(".blueprint") and imported != owner:
            assert feature(importer) != feature_name, f"{importer} uses {imported}"
        if importer.startswith(f"meetings.{feature_name}.") and "views" in importer:
            assert not (imported.startswith(f"meetings.{feature_name}.")
                        and "views" in imported), f"{importer} imports {imported}"


# Where the string "SITE_URL" may appear in code: the settings table that declares it and the one
# function that reads it.
SITE_URL_READERS = {"meetings/config.py", "meetings/web/site_url.py"}


def test_only_one_function_reads_the_site_url_from_the_configuration():
    readers = set()
    for path in PACKAGE.rglob("*.py"):
        constants = (node.value for node in ast.walk(ast.parse(path.read_text()))
                     if isinstance(node, ast.Constant))
        if "SITE_URL" in constants:
            readers.add(path.relative_to(PACKAGE.parent).as_posix())
    assert readers == SITE_URL_READERS


# The modules that read the site's address and retention from the configuration. Only the edge
# (views, the CLI, the app factory and meetings.web itself) imports them; everything below takes
# a MailSite (or the address) as a parameter.
CONFIG_AT_THE_EDGE = {"meetings.web.site_url", "meetings.web.retention"}


def is_edge(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return (last.endswith("views") or last in ("cli", "commands") or module == "meetings"
            or module.startswith("meetings.web."))


def test_only_the_edge_imports_the_site_configuration():
    wrong = [f"{importer} -> {imported}" for importer, imported in edges(import_graph())
             if imported in CONFIG_AT_THE_EDGE and not is_edge(importer)]
    assert wrong == []

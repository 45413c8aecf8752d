"""Compare a HubSpot-published OpenAPI spec with ours, structurally.

Run it as ``scripts/compare-spec PATH [--ours SPEC] [--json] [--verbose]``. PATH is a spec HubSpot
publishes (JSON or YAML); ``--ours`` defaults to ``openapi/hubspot-associations-v4.yaml``.

Operations are matched by HTTP method and path template, ignoring the API version segment
(``v4``, ``2026-03``...) and the names of path parameters. Schemas are compared structurally, so
HubSpot's schema names need not match ours: ``$ref`` is followed on both sides (recursive schemas
are compared once per path), ``allOf`` is merged, and descriptions, examples, summaries,
operationIds, tags, security and ``x-`` extensions are ignored (``--verbose`` adds the operations'
``x-`` extensions). Response headers and parameter ``style``/``explode`` are not compared.

Every difference is phrased from HubSpot's side: "added upstream" is in their spec but not in ours,
"removed upstream" is in ours but not in theirs, and changes read "X (theirs) vs Y (ours)".
Locations inside a body read like ``response 200 body .errors[].context{}``: ``.name`` is a
property, ``[]`` the items of an array, ``{}`` the values of a map (additionalProperties).

Deliberate differences are explained, not reported: a node of our spec (an operation, a
response, a schema or a property) that carries an ``x-differs-from-hubspot`` note explains every
difference found at or below it. Those are listed apart, each with its note, and do not count.

Exit status: 0 when there are no unexplained differences, 1 when there are, 2 for usage or input
errors.

Example::

    >>> report = compare_specs(load_spec("theirs.json"), load_spec("ours.yaml"))  # doctest: +SKIP
    >>> [str(d) for d in report.differences]  # doctest: +SKIP
    ['POST /crm/associations/v4/.../batch/purge: response 200: added upstream', ...]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OURS = REPO_ROOT / "openapi" / "hubspot-associations-v4.yaml"

#: Upstream operations outside this area are not reported as "added upstream": HubSpot's spec
#: files may describe neighbouring APIs that this SDK deliberately does not cover.
#: Where HubSpot's associations operations live (after normalise_path): the schema and batch
#: records paths, and the records paths under one object.
AREA_PREFIXES = ("/crm/associations/", "/crm/objects/<version>/{}/{}/associations")
_SCHEMA_PATH = re.compile(r"/definitions/|\}/labels(/\{[^}]+\})?$")

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
VERSION_SEGMENT = re.compile(r"^(v\d+|\d{4}-\d{2})$")
PATH_PARAM = re.compile(r"\{([^}]+)\}")
#: The extension on a node of our spec that explains why it differs from HubSpot's.
NOTE = "x-differs-from-hubspot"

#: Schema keywords compared value for value. Anything not listed here or handled below (type,
#: enum, properties, required, items, additionalProperties, allOf/oneOf/anyOf) is ignored.
SCALAR_KEYWORDS = (
    "format",
    "nullable",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "default",
)
#: Boolean keywords whose absence means false.
FALSE_BY_DEFAULT = ("nullable", "uniqueItems", "exclusiveMinimum", "exclusiveMaximum")

YAML_HINT = (
    "reading YAML needs PyYAML, which is not installed for {python}. "
    "Install it with `pip install 'PyYAML>=6'` (or the dev extra: `pip install -e '.[dev]'`)."
)


class SpecError(Exception):
    """A spec could not be read or is not an OpenAPI 3 document (exit status 2)."""


@dataclass(frozen=True)
class Difference:
    """One structural difference between their spec and ours.

    ``operation`` is ``"METHOD /path"`` (our path for matched operations), ``section`` one of
    ``operations``, ``operation``, ``parameters``, ``request body``, ``responses``,
    ``extensions``; ``location`` says where inside the operation (empty for the whole operation).
    ``theirs``/``ours`` carry the compared values when that helps a machine reader.
    """

    operation: str
    section: str
    location: str
    message: str
    theirs: Any = None
    ours: Any = None

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{self.operation}: {where}{self.message}"


@dataclass(frozen=True)
class Explained:
    """A difference our spec explains: ``note`` is the ``x-differs-from-hubspot`` text."""

    difference: Difference
    note: str


@dataclass
class Report:
    """The outcome of :func:`compare_specs`: differences, explained ones, notes and counts."""

    differences: list[Difference] = field(default_factory=list)
    explained: list[Explained] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    matched: int = 0
    added: int = 0
    removed: int = 0

    def summary(self) -> str:
        """One line with the counts, e.g. ``3 differences; 9 operations matched, ...``."""
        n = len(self.differences)
        changed = len({d.operation for d in self.differences if d.section != "operations"})
        explained = f" ({len(self.explained)} more explained by notes)" if self.explained else ""
        return (
            f"{n} difference{'s' if n != 1 else ''}{explained}; {self.matched} operations matched "
            f"({changed} with differences), {self.added} added upstream, "
            f"{self.removed} removed upstream"
        )


# ----------------------------------------------------------------------------- loading


def load_spec(path: str | Path) -> dict[str, Any]:
    """Read an OpenAPI 3 document from a ``.json`` file or a YAML file; raise SpecError."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"{p}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{p}: cannot read: {exc}") from None
    if p.suffix.lower() == ".json":
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(f"{p}: not valid JSON: {exc}") from None
    else:
        doc = _parse_yaml(text, p)
    if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
        raise SpecError(f"{p}: not an OpenAPI spec (no 'paths' mapping at the top level)")
    version = str(doc.get("openapi", ""))
    if not version.startswith("3"):
        found = f"openapi {version!r}" if version else "no 'openapi' field"
        raise SpecError(f"{p}: not an OpenAPI 3 spec ({found}); only OpenAPI 3.x is supported")
    return doc


def _parse_yaml(text: str, p: Path) -> Any:
    try:
        import yaml
    except ImportError:
        raise SpecError(YAML_HINT.format(python=sys.executable)) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SpecError(f"{p}: not valid YAML: {exc}") from None


# ----------------------------------------------------------------------------- structure


class _Spec:
    """A document plus local ``$ref`` resolution."""

    def __init__(self, doc: dict[str, Any], name: str) -> None:
        self.doc = doc
        self.name = name

    def resolve(self, node: Any) -> Any:
        seen: set[str] = set()
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#/"):
                raise SpecError(f"{self.name}: only local $refs are supported, found {ref!r}")
            if ref in seen:
                raise SpecError(f"{self.name}: $ref {ref} refers to itself")
            seen.add(ref)
            target: Any = self.doc
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(target, dict) or part not in target:
                    raise SpecError(f"{self.name}: $ref {ref} points nowhere")
                target = target[part]
            node = target
        return node


@dataclass
class _Operation:
    method: str
    path: str
    node: dict[str, Any]
    parameters: list[dict[str, Any]]

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def normalise_path(path: str) -> str:
    """Path template with the version segment as ``<version>`` and parameters as ``{}``.

    >>> normalise_path("/crm/associations/2026-03/{from}/{to}/labels")
    '/crm/associations/<version>/{}/{}/labels'
    """
    path = PATH_PARAM.sub("{}", path)
    parts = ["<version>" if VERSION_SEGMENT.match(s) else s for s in path.split("/")]
    # HubSpot's v4 records paths put the version first (/crm/v4/objects/...), its dated ones
    # second (/crm/objects/2026-03/...): one operation either way.
    if parts[1:4] in (["crm", "<version>", "objects"], ["crm", "<version>", "associations"]):
        parts[2], parts[3] = parts[3], parts[2]
    return "/".join(parts)


def document_of(path: str) -> str:
    """Which of HubSpot's two associations documents publishes an operation: ``schema``
    (limits and labels, ``associationsSchema.json``) or ``records`` (``associations.json``)."""
    return "schema" if _SCHEMA_PATH.search(path) else "records"


def version_of(path: str) -> str | None:
    """The API version segment of a path (``v4``, ``2026-03``), or None."""
    return next((s for s in path.split("/") if VERSION_SEGMENT.match(s)), None)


def _operations(spec: _Spec) -> dict[tuple[str, str], _Operation]:
    ops: dict[tuple[str, str], _Operation] = {}
    for path, raw_item in spec.doc["paths"].items():
        item = spec.resolve(raw_item)
        if not isinstance(item, dict):
            continue
        shared = [spec.resolve(p) for p in item.get("parameters") or []]
        for method in HTTP_METHODS:
            node = item.get(method)
            if not isinstance(node, dict):
                continue
            own = [spec.resolve(p) for p in node.get("parameters") or []]
            # Operation-level parameters override path-level ones with the same name and place.
            own_keys = {(p.get("in"), p.get("name")) for p in own}
            params = [p for p in shared if (p.get("in"), p.get("name")) not in own_keys] + own
            ops[(method.upper(), normalise_path(path))] = _Operation(
                method.upper(), path, node, params
            )
    return ops


def _status_sort_key(code: str) -> tuple[bool, str]:
    return (code == "default", code)


def _type_of(schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if isinstance(kind, list):
        return " or ".join(sorted(map(str, kind)))
    # An untyped schema with properties or items is an object or array in practice.
    if kind is None and ("properties" in schema or "additionalProperties" in schema):
        return "object"
    if kind is None and "items" in schema:
        return "array"
    return kind


def _additional(schema: dict[str, Any]) -> Any:
    """additionalProperties as ``"any"``, ``"none"`` or a schema dict (absent and {} mean any)."""
    extra = schema.get("additionalProperties", True)
    if extra is True or extra == {}:
        return "any"
    if extra is False:
        return "none"
    return extra


def _show(value: Any) -> str:
    if value is None:
        return "absent"
    if isinstance(value, dict):
        return f"a schema ({value.get('type') or 'untyped'})"
    return json.dumps(value) if not isinstance(value, str) else value


def _loc(where: str, pointer: str) -> str:
    return f"{where} {pointer}" if pointer else where


# ----------------------------------------------------------------------------- comparison


class _Comparer:
    def __init__(self, theirs: _Spec, ours: _Spec, verbose: bool) -> None:
        self.theirs = theirs
        self.ours = ours
        self.verbose = verbose
        self.report = Report()
        self._op = ""
        self._section = ""
        self._flat: dict[tuple[int, int], dict[str, Any]] = {}
        # The notes of the nodes of our spec being compared, innermost last.
        self._notes: list[str] = []

    def diff(self, location: str, message: str, theirs: Any = None, ours: Any = None) -> None:
        difference = Difference(self._op, self._section, location, message, theirs, ours)
        if self._notes:
            self.report.explained.append(Explained(difference, self._notes[-1]))
        else:
            self.report.differences.append(difference)

    def _noted(self, node: Any) -> bool:
        """Push ``node``'s note, if it has one; the caller pops it when the result is True."""
        note = node.get(NOTE) if isinstance(node, dict) else None
        if isinstance(note, str) and note.strip():
            self._notes.append(" ".join(note.split()))
            return True
        return False

    def run(self) -> Report:
        theirs_ops = _operations(self.theirs)
        ours_ops = _operations(self.ours)
        self._note_versions(theirs_ops, ours_ops)
        self._section = "operations"
        for key in sorted(theirs_ops.keys() - ours_ops.keys(), key=lambda k: (k[1], k[0])):
            op = theirs_ops[key]
            if normalise_path(op.path).startswith(AREA_PREFIXES):
                self._op = op.label
                self.report.added += 1
                self.diff("", "operation added upstream")
        # Our spec covers both of HubSpot's documents; an operation of the document theirs is
        # not has not been removed upstream.
        covered = {document_of(op.path) for op in theirs_ops.values()}
        for key in sorted(ours_ops.keys() - theirs_ops.keys(), key=lambda k: (k[1], k[0])):
            if document_of(ours_ops[key].path) not in covered:
                continue
            self._op = ours_ops[key].label
            self.report.removed += 1
            self.diff("", "operation removed upstream")
        for key in sorted(theirs_ops.keys() & ours_ops.keys(), key=lambda k: (k[1], k[0])):
            self.report.matched += 1
            self.compare_operation(theirs_ops[key], ours_ops[key])
        return self.report

    def _note_versions(self, theirs_ops: dict[Any, _Operation], ours_ops: dict[Any, _Operation]):
        def versions(ops: dict[Any, _Operation]) -> str:
            found = {version_of(o.path) for o in ops.values()} - {None}
            return ", ".join(sorted(v for v in found if v)) or "none"

        theirs_v, ours_v = versions(theirs_ops), versions(ours_ops)
        if theirs_v != ours_v:
            self.report.notes.append(
                f"API version segment differs: {theirs_v} (theirs) vs {ours_v} (ours); "
                "operations were matched ignoring it"
            )

    def compare_operation(self, theirs: _Operation, ours: _Operation) -> None:
        noted = self._noted(ours.node)
        try:
            self._compare_operation(theirs, ours)
        finally:
            if noted:
                self._notes.pop()

    def _compare_operation(self, theirs: _Operation, ours: _Operation) -> None:
        self._op = ours.label
        self._section = "operation"
        t_dep, o_dep = bool(theirs.node.get("deprecated")), bool(ours.node.get("deprecated"))
        if t_dep != o_dep:
            self.diff("", f"deprecated {t_dep} (theirs) vs {o_dep} (ours)", t_dep, o_dep)
        self._section = "parameters"
        self.compare_parameters(theirs, ours)
        self._section = "request body"
        self.compare_request_body(theirs, ours)
        self._section = "responses"
        self.compare_responses(theirs, ours)
        if self.verbose:
            self._section = "extensions"
            keys = {k for k in (*theirs.node, *ours.node) if str(k).startswith("x-")}
            for key in sorted(keys):
                t_val, o_val = theirs.node.get(key), ours.node.get(key)
                if t_val != o_val:
                    self.diff(
                        key, f"{_show(t_val)} (theirs) vs {_show(o_val)} (ours)", t_val, o_val
                    )

    # -- parameters

    @staticmethod
    def _param_key(param: dict[str, Any], path: str) -> tuple[str, str]:
        where, name = str(param.get("in")), str(param.get("name"))
        names = PATH_PARAM.findall(path)
        if where == "path" and name in names:
            # Path parameters match by position, so renaming one is reported, not fatal.
            return (where, f"#{names.index(name) + 1}")
        return (where, name.lower() if where == "header" else name)

    def compare_parameters(self, theirs: _Operation, ours: _Operation) -> None:
        t_params = {self._param_key(p, theirs.path): p for p in theirs.parameters}
        o_params = {self._param_key(p, ours.path): p for p in ours.parameters}
        for key in sorted(t_params.keys() | o_params.keys()):
            t_param, o_param = t_params.get(key), o_params.get(key)
            name = (o_param or t_param or {}).get("name")
            where = f"parameter {key[0]} {name}"
            if o_param is None:
                required = " (required)" if t_param and t_param.get("required") else ""
                self.diff(where, f"added upstream{required}")
                continue
            if t_param is None:
                self.diff(where, "removed upstream")
                continue
            if t_param.get("name") != o_param.get("name"):
                self.diff(
                    where,
                    f"name {t_param.get('name')} (theirs) vs {o_param.get('name')} (ours)",
                    t_param.get("name"),
                    o_param.get("name"),
                )
            t_req, o_req = bool(t_param.get("required")), bool(o_param.get("required"))
            if t_req != o_req:
                self.diff(
                    where, "required added upstream" if t_req else "required removed upstream"
                )
            t_schema, o_schema = t_param.get("schema"), o_param.get("schema")
            if t_schema is not None and o_schema is not None:
                self.compare_schema(t_schema, o_schema, where, "")
            elif t_schema is not None or o_schema is not None:
                side = "added" if t_schema is not None else "removed"
                self.diff(where, f"schema {side} upstream")

    # -- bodies

    def compare_request_body(self, theirs: _Operation, ours: _Operation) -> None:
        t_body = self.theirs.resolve(theirs.node.get("requestBody"))
        o_body = self.ours.resolve(ours.node.get("requestBody"))
        if t_body is None and o_body is None:
            return
        if o_body is None or t_body is None:
            self.diff("request body", f"{'added' if o_body is None else 'removed'} upstream")
            return
        t_req, o_req = bool(t_body.get("required")), bool(o_body.get("required"))
        if t_req != o_req:
            self.diff(
                "request body", "required added upstream" if t_req else "required removed upstream"
            )
        self.compare_content(
            t_body.get("content"), o_body.get("content"), "request body", "request body"
        )

    def compare_responses(self, theirs: _Operation, ours: _Operation) -> None:
        t_resp = {str(k): v for k, v in (theirs.node.get("responses") or {}).items()}
        o_resp = {str(k): v for k, v in (ours.node.get("responses") or {}).items()}
        for code in sorted(t_resp.keys() | o_resp.keys(), key=_status_sort_key):
            where = f"response {code}"
            if code not in o_resp:
                self.diff(where, "added upstream", theirs=code)
                continue
            o_node = self.ours.resolve(o_resp[code]) or {}
            noted = self._noted(o_node)
            try:
                if code not in t_resp:
                    self.diff(where, "removed upstream", ours=code)
                else:
                    t_node = self.theirs.resolve(t_resp[code]) or {}
                    self.compare_content(
                        t_node.get("content"), o_node.get("content"), where, f"{where} body"
                    )
            finally:
                if noted:
                    self._notes.pop()

    def compare_content(self, theirs: Any, ours: Any, where: str, body_label: str) -> None:
        t_content, o_content = dict(theirs or {}), dict(ours or {})
        if not t_content and not o_content:
            return
        if not o_content or not t_content:
            side = "added" if t_content else "removed"
            self.diff(where, f"body {side} upstream", sorted(t_content), sorted(o_content))
            return
        pairs = [(m, m) for m in sorted(t_content.keys() & o_content.keys())]
        if len(t_content) == 1 and len(o_content) == 1 and not pairs:
            (t_type,), (o_type,) = t_content, o_content
            self.diff(where, f"media type {t_type} (theirs) vs {o_type} (ours)", t_type, o_type)
            pairs = [(t_type, o_type)]
        else:
            for media in sorted(t_content.keys() - o_content.keys()):
                self.diff(where, f"media type {media} added upstream", theirs=media)
            for media in sorted(o_content.keys() - t_content.keys()):
                self.diff(where, f"media type {media} removed upstream", ours=media)
        for t_type, o_type in pairs:
            body = body_label if len(pairs) == 1 else f"{body_label} ({o_type})"
            t_schema = (t_content[t_type] or {}).get("schema")
            o_schema = (o_content[o_type] or {}).get("schema")
            if t_schema is not None and o_schema is not None:
                self.compare_schema(t_schema, o_schema, body, "")
            elif t_schema is not None or o_schema is not None:
                self.diff(body, f"schema {'added' if t_schema is not None else 'removed'} upstream")

    # -- schemas

    def _flatten(
        self, spec: _Spec, node: Any, busy: frozenset[int] = frozenset()
    ) -> dict[str, Any]:
        """Resolve $ref and merge allOf, caching so recursive schemas keep a stable identity."""
        node = spec.resolve(node)
        if not isinstance(node, dict):
            return {}
        if "allOf" not in node:
            return node
        key = (id(spec), id(node))
        if key in self._flat:
            return self._flat[key]
        merged = {k: v for k, v in node.items() if k != "allOf"}
        props = dict(merged.get("properties") or {})
        required = list(merged.get("required") or [])
        for part in node["allOf"]:
            if id(spec.resolve(part)) in busy | {id(node)}:
                continue  # allOf that includes itself adds nothing new
            sub = self._flatten(spec, part, busy | {id(node)})
            for k, v in sub.items():
                if k == "properties":
                    props.update({n: s for n, s in v.items() if n not in props})
                elif k == "required":
                    required += [r for r in v if r not in required]
                else:
                    merged.setdefault(k, v)
        if props:
            merged["properties"] = props
        if required:
            merged["required"] = required
        self._flat[key] = merged
        return merged

    def compare_schema(
        self,
        theirs: Any,
        ours: Any,
        where: str,
        pointer: str,
        busy: frozenset[tuple[int, int]] = frozenset(),
    ) -> None:
        t = self._flatten(self.theirs, theirs)
        o = self._flatten(self.ours, ours)
        pair = (id(t), id(o))
        if pair in busy:
            return  # a recursive schema: this pair is already being compared further up
        # A note on the $ref-ing node (a property) or on the schema it names explains it.
        noted = [self._noted(node) for node in (ours if isinstance(ours, dict) else {}, o)]
        try:
            self._compare_schema(t, o, where, pointer, busy | {pair})
        finally:
            for was_noted in noted:
                if was_noted:
                    self._notes.pop()

    def _compare_schema(
        self,
        t: dict[str, Any],
        o: dict[str, Any],
        where: str,
        pointer: str,
        busy: frozenset[tuple[int, int]],
    ) -> None:
        loc = _loc(where, pointer)

        t_type, o_type = _type_of(t), _type_of(o)
        if t_type != o_type:
            shown = [_show(kind) if kind else "unspecified" for kind in (t_type, o_type)]
            self.diff(loc, f"type {shown[0]} (theirs) vs {shown[1]} (ours)", t_type, o_type)
            return  # the rest of the structure is not comparable once the types differ
        for kw in SCALAR_KEYWORDS:
            t_val, o_val = t.get(kw), o.get(kw)
            if kw in FALSE_BY_DEFAULT:
                t_val, o_val = t_val or None, o_val or None
            if t_val != o_val:
                self.diff(
                    loc, f"{kw} {_show(t_val)} (theirs) vs {_show(o_val)} (ours)", t_val, o_val
                )
        self._compare_enum(t.get("enum"), o.get("enum"), loc)
        self._compare_properties(t, o, where, pointer, busy)

        t_items, o_items = t.get("items"), o.get("items")
        if t_items is not None and o_items is not None:
            self.compare_schema(t_items, o_items, where, f"{pointer}[]", busy)
        elif t_items is not None or o_items is not None:
            side = "added" if t_items is not None else "removed"
            self.diff(loc, f"array items schema {side} upstream")

        t_extra, o_extra = _additional(t), _additional(o)
        if isinstance(t_extra, dict) and isinstance(o_extra, dict):
            self.compare_schema(t_extra, o_extra, where, f"{pointer}{{}}", busy)
        elif t_extra != o_extra:
            self.diff(
                loc,
                f"additionalProperties {_show(t_extra)} (theirs) vs {_show(o_extra)} (ours)",
            )

        for kw in ("oneOf", "anyOf"):
            t_alts, o_alts = t.get(kw) or [], o.get(kw) or []
            if len(t_alts) != len(o_alts):
                self.diff(loc, f"{kw} with {len(t_alts)} schemas (theirs) vs {len(o_alts)} (ours)")
            for i, (t_alt, o_alt) in enumerate(zip(t_alts, o_alts, strict=False)):
                self.compare_schema(t_alt, o_alt, where, f"{pointer}<{kw} {i + 1}>", busy)

    def _compare_enum(self, theirs: Any, ours: Any, loc: str) -> None:
        if theirs is None and ours is None:
            return
        if ours is None:
            self.diff(loc, f"enum added upstream: {', '.join(map(str, theirs))}", theirs, None)
        elif theirs is None:
            self.diff(loc, f"enum removed upstream (ours lists {', '.join(map(str, ours))})")
        else:
            for value in theirs:
                if value not in ours:
                    self.diff(loc, f"enum value {value} added upstream", theirs=value)
            for value in ours:
                if value not in theirs:
                    self.diff(loc, f"enum value {value} removed upstream", ours=value)

    def _compare_properties(
        self,
        t: dict[str, Any],
        o: dict[str, Any],
        where: str,
        pointer: str,
        busy: frozenset[tuple[int, int]],
    ) -> None:
        t_props, o_props = t.get("properties") or {}, o.get("properties") or {}
        t_req, o_req = set(t.get("required") or []), set(o.get("required") or [])
        for name in sorted(t_props.keys() | o_props.keys() | t_req | o_req):
            sub = f"{pointer}.{name}"
            loc = _loc(where, sub)
            if name in t_props and name not in o_props:
                self.diff(loc, "property added upstream" + (" (required)" * (name in t_req)))
                continue
            if name in o_props and name not in t_props:
                noted = self._noted(self.ours.resolve(o_props[name]))
                self.diff(loc, "property removed upstream")
                if noted:
                    self._notes.pop()
                continue
            if (name in t_req) != (name in o_req):
                self.diff(
                    loc, "required added upstream" if name in t_req else "required removed upstream"
                )
            if name in t_props:
                self.compare_schema(t_props[name], o_props[name], where, sub, busy)


def compare_specs(
    theirs: dict[str, Any],
    ours: dict[str, Any],
    *,
    verbose: bool = False,
) -> Report:
    """Compare two loaded OpenAPI 3 documents; ``theirs`` is HubSpot's, ``ours`` the project's.

    ``verbose`` also compares the operations' ``x-`` extensions (such as
    ``x-hubspot-rate-limit-exemptions``). Raises SpecError on a broken ``$ref``.
    """
    return _Comparer(_Spec(theirs, "theirs"), _Spec(ours, "ours"), verbose).run()


# ----------------------------------------------------------------------------- output


def format_report(report: Report, theirs_name: str, ours_name: str) -> str:
    """The human-readable report: notes, operations added/removed, then per-operation sections.

    A difference found in every matched operation (a shared error response, say) is listed once
    under "Every matched operation" instead of once per operation.
    """
    lines = [f"Comparing {theirs_name} (theirs) with {ours_name} (ours)"]
    lines += [f"Note: {note}" for note in report.notes]
    moved = [d for d in report.differences if d.section == "operations"]
    for word in ("added", "removed"):
        ops = [d.operation for d in moved if d.message == f"operation {word} upstream"]
        if ops:
            lines += ["", f"Operations {word} upstream:"] + [f"  {op}" for op in ops]

    def same(d: Difference) -> tuple[str, str, str]:
        return (d.section, d.location, d.message)

    changes = [d for d in report.differences if d.section != "operations"]
    seen_in: dict[tuple[str, str, str], set[str]] = {}
    for d in changes:
        seen_in.setdefault(same(d), set()).add(d.operation)
    common = {k for k, ops in seen_in.items() if report.matched > 1 and len(ops) == report.matched}
    by_op: dict[str, dict[str, list[Difference]]] = {}
    for d in changes:
        if same(d) in common:
            by_op.setdefault(f"Every matched operation ({report.matched})", {}).setdefault(
                d.section, []
            ).append(d)
        else:
            by_op.setdefault(d.operation, {}).setdefault(d.section, []).append(d)
    for op, sections in by_op.items():
        lines += ["", op]
        for section, diffs in sections.items():
            lines.append(f"  {section}:")
            shown = dict.fromkeys(
                f"    {d.location}: {d.message}" if d.location else f"    {d.message}"
                for d in diffs
            )
            lines += list(shown)
    if report.explained:
        lines += ["", f"Explained by {NOTE} notes in our spec ({len(report.explained)}):"]
        by_note: dict[str, list[Difference]] = {}
        for item in report.explained:
            by_note.setdefault(item.note, []).append(item.difference)
        for note, diffs in by_note.items():
            lines.append(f"  {note}")
            shown = dict.fromkeys(
                f"    {d.operation}: {d.location}: {d.message}" if d.location else f"    {d}"
                for d in diffs
            )
            lines += list(shown)
    lines += ["", f"Summary: {report.summary()}"]
    return "\n".join(lines)


def report_as_json(report: Report, theirs_name: str, ours_name: str) -> str:
    """The machine-readable report: an object whose ``differences`` is a list of objects."""
    payload = {
        "theirs": theirs_name,
        "ours": ours_name,
        "notes": report.notes,
        "summary": {
            "differences": len(report.differences),
            "matched": report.matched,
            "added_upstream": report.added,
            "removed_upstream": report.removed,
        },
        "differences": [asdict(d) | {"text": str(d)} for d in report.differences],
        "explained": [
            asdict(e.difference) | {"text": str(e.difference), "note": e.note}
            for e in report.explained
        ],
    }
    return json.dumps(payload, indent=2, default=str)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status (0 same, 1 different, 2 error)."""
    parser = argparse.ArgumentParser(
        prog="compare-spec",
        description="Show how a HubSpot-published OpenAPI spec differs, structurally, from ours.",
    )
    parser.add_argument("path", help="HubSpot's spec (JSON or YAML)")
    parser.add_argument(
        "--ours",
        default=str(DEFAULT_OURS),
        help="our spec (default: openapi/hubspot-associations-v4.yaml in this repository)",
    )
    parser.add_argument("--json", action="store_true", help="print the differences as JSON")
    parser.add_argument(
        "--verbose", "-v", action="store_true", help="also compare the operations' x- extensions"
    )
    args = parser.parse_args(argv)
    try:
        theirs = load_spec(args.path)
        ours = load_spec(args.ours)
        report = compare_specs(theirs, ours, verbose=args.verbose)
    except SpecError as exc:
        print(f"compare-spec: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(report_as_json(report, args.path, args.ours))
    else:
        print(format_report(report, args.path, args.ours))
    return 1 if report.differences else 0


if __name__ == "__main__":
    sys.exit(main())

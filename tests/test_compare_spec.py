"""Tests for scripts/compare-spec, on the small specs in tests/fixtures/specs/.

ours.yaml is written in our style (short names, shared parameters, $refs); theirs-same.json says
the same thing in HubSpot's style (long names, inline schemas, descriptions, x- extensions);
theirs-changed.json is a dated version that differs on purpose. Most tests change one thing in a
copy of theirs-same.json and check that exactly that difference is reported.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "compare-spec"
SPECS = Path(__file__).resolve().parent / "fixtures" / "specs"
sys.path.insert(0, str(REPO / "scripts"))

import compare_spec  # noqa: E402
from compare_spec import (  # noqa: E402
    SpecError,
    compare_specs,
    format_report,
    load_spec,
    main,
    normalise_path,
)

PURGE = (
    "/crm/associations/v4/definitions/configurations/{fromObjectType}/{toObjectType}/batch/purge"
)
CREATE = (
    "/crm/associations/v4/definitions/configurations/{fromObjectType}/{toObjectType}/batch/create"
)
LABELS = "/crm/associations/v4/{fromObjectType}/{toObjectType}/labels"
DELETE_LABEL = LABELS + "/{associationTypeId}"


@pytest.fixture
def ours() -> dict[str, Any]:
    return load_spec(SPECS / "ours.yaml")


@pytest.fixture
def theirs() -> dict[str, Any]:
    return copy.deepcopy(load_spec(SPECS / "theirs-same.json"))


def texts(theirs: dict[str, Any], ours: dict[str, Any], **kwargs: Any) -> list[str]:
    return [str(d) for d in compare_specs(theirs, ours, **kwargs).differences]


def schema(doc: dict[str, Any], name: str) -> dict[str, Any]:
    result: dict[str, Any] = doc["components"]["schemas"][name]
    return result


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )


# ------------------------------------------------------------------ same structure, other style


def test_structurally_identical_specs_have_no_differences(theirs, ours) -> None:
    report = compare_specs(theirs, ours)
    assert report.differences == []
    assert report.notes == []
    assert (report.matched, report.added, report.removed) == (4, 0, 0)


def test_a_spec_equals_itself(ours) -> None:
    assert texts(ours, copy.deepcopy(ours)) == []


def test_ref_and_inline_schemas_are_equivalent(theirs, ours) -> None:
    # Inline every use of Category, and wrap a $ref in allOf as OpenAPI 3.0 specs often do.
    inline = copy.deepcopy(ours)
    category = schema(inline, "Category")
    for name in ("LimitInput", "Limit", "Label"):
        schema(inline, name)["properties"]["category"] = copy.deepcopy(category)
    schema(inline, "BatchSpecInput")["properties"]["inputs"]["items"] = {
        "allOf": [{"$ref": "#/components/schemas/Spec"}],
        "description": "described here, which a plain $ref may not be",
    }
    assert texts(theirs, inline) == []


def test_a_changed_schema_behind_allof_is_still_seen(theirs, ours) -> None:
    schema(ours, "BatchSpecInput")["properties"]["inputs"]["items"] = {
        "allOf": [{"$ref": "#/components/schemas/Spec"}, {"required": ["extra"]}]
    }
    assert texts(theirs, ours) == [
        f"POST {PURGE}: request body .inputs[].extra: required removed upstream"
    ]


def test_descriptions_examples_ids_security_and_extensions_are_ignored(theirs, ours) -> None:
    op = theirs["paths"][LABELS]["get"]
    op.update(description="new words", summary="new", operationId="x", tags=["Other"])
    op["security"] = [{"oauth2": ["another.scope"]}]
    op["x-hubspot-rate-limit-exemptions"] = ["daily"]
    schema(theirs, "Error")["properties"]["message"]["example"] = "changed"
    assert texts(theirs, ours) == []


def test_verbose_compares_operation_extensions(theirs, ours) -> None:
    found = texts(theirs, ours, verbose=True)
    assert f"GET {LABELS}: x-hubspot-rate-limit-exemptions: " in "\n".join(found)
    assert len(found) == 3  # the three fixture operations that carry the extension


# ------------------------------------------------------------------ operations and versions


def test_added_and_removed_operations(theirs, ours) -> None:
    theirs["paths"][LABELS]["post"] = copy.deepcopy(theirs["paths"][LABELS]["get"])
    del theirs["paths"][DELETE_LABEL]
    report = compare_specs(theirs, ours)
    assert [str(d) for d in report.differences] == [
        f"POST {LABELS}: operation added upstream",
        f"DELETE {DELETE_LABEL}: operation removed upstream",
    ]
    assert (report.matched, report.added, report.removed) == (3, 1, 1)


def test_operations_outside_the_associations_area_are_not_reported(theirs, ours) -> None:
    theirs["paths"]["/crm/objects/v3/contacts"] = {"get": {"responses": {"200": {}}}}
    assert texts(theirs, ours) == []


def test_version_segment_is_normalised_and_noted_once(theirs, ours) -> None:
    theirs["paths"] = {p.replace("/v4/", "/2026-03/"): v for p, v in theirs["paths"].items()}
    report = compare_specs(theirs, ours)
    assert report.differences == []
    assert len(report.notes) == 1
    assert "2026-03 (theirs) vs v4 (ours)" in report.notes[0]


def test_normalise_path() -> None:
    assert normalise_path("/crm/associations/2025-09/{a}/{b}/labels") == (
        "/crm/associations/<version>/{}/{}/labels"
    )
    assert normalise_path(LABELS) == "/crm/associations/<version>/{}/{}/labels"


def test_renamed_path_parameter_still_matches_and_is_reported(theirs, ours) -> None:
    item = theirs["paths"].pop(DELETE_LABEL)
    for param in item["delete"]["parameters"]:
        if param["name"] == "associationTypeId":
            param["name"] = "typeId"
    theirs["paths"][LABELS + "/{typeId}"] = item
    assert texts(theirs, ours) == [
        f"DELETE {DELETE_LABEL}: parameter path associationTypeId: "
        "name typeId (theirs) vs associationTypeId (ours)"
    ]


def test_added_query_parameter(theirs, ours) -> None:
    theirs["paths"][LABELS]["get"]["parameters"].append(
        {"name": "after", "in": "query", "required": True, "schema": {"type": "string"}}
    )
    assert texts(theirs, ours) == [
        f"GET {LABELS}: parameter query after: added upstream (required)"
    ]


def test_parameter_type_change(theirs, ours) -> None:
    param = theirs["paths"][DELETE_LABEL]["delete"]["parameters"][0]
    param["schema"] = {"type": "string"}
    assert texts(theirs, ours) == [
        f"DELETE {DELETE_LABEL}: parameter path associationTypeId: "
        "type string (theirs) vs integer (ours)"
    ]


# ------------------------------------------------------------------ responses and bodies


def test_status_204_replaced_by_200_with_body(theirs, ours) -> None:
    responses = theirs["paths"][PURGE]["post"]["responses"]
    del responses["204"]
    responses["200"] = {
        "description": "ok",
        "content": {"application/json": {"schema": {"type": "object", "properties": {}}}},
    }
    assert texts(theirs, ours) == [
        f"POST {PURGE}: response 200: added upstream",
        f"POST {PURGE}: response 204: removed upstream",
    ]


def test_body_added_to_a_shared_status(theirs, ours) -> None:
    theirs["paths"][PURGE]["post"]["responses"]["204"]["content"] = {
        "application/json": {"schema": {"type": "object"}}
    }
    assert texts(theirs, ours) == [f"POST {PURGE}: response 204: body added upstream"]


def test_default_error_response_is_compared_too(theirs, ours) -> None:
    theirs["components"]["responses"]["Error"]["content"] = {
        "*/*": theirs["components"]["responses"]["Error"]["content"]["application/json"]
    }
    line = "response default: media type */* (theirs) vs application/json (ours)"
    report = compare_specs(theirs, ours)
    assert [str(d) for d in report.differences if d.operation == f"GET {LABELS}"] == [
        f"GET {LABELS}: {line}"
    ]
    assert len(report.differences) == 4  # once per operation in the data...
    human = format_report(report, "theirs.json", "ours.yaml")
    assert human.count(line) == 1  # ...but listed once in the human report
    assert f"Every matched operation (4)\n  responses:\n    {line}" in human


def test_difference_in_some_operations_is_listed_under_each(theirs, ours) -> None:
    for path in (PURGE, CREATE):
        theirs["paths"][path]["post"]["deprecated"] = True
    human = format_report(compare_specs(theirs, ours), "theirs.json", "ours.yaml")
    assert "Every matched operation" not in human
    for path in (PURGE, CREATE):
        assert f"POST {path}\n  operation:\n    deprecated True (theirs) vs False (ours)" in human


def test_added_enum_value(theirs, ours) -> None:
    status = schema(theirs, "BatchResponsePublicAssociationDefinitionUserConfiguration")
    status["properties"]["status"]["enum"].append("FAILED")
    assert texts(theirs, ours) == [
        f"POST {CREATE}: response 201 body .status: enum value FAILED added upstream"
    ]


def test_enum_dropped_upstream(theirs, ours) -> None:
    del schema(theirs, "AssociationSpecWithLabel")["properties"]["category"]["enum"]
    found = texts(theirs, ours)
    assert found == [
        f"GET {LABELS}: response 200 body .results[].category: "
        "enum removed upstream (ours lists HUBSPOT_DEFINED, USER_DEFINED)"
    ]


def test_required_field_changes(theirs, ours) -> None:
    spec_items = schema(theirs, "BatchInputPublicAssociationSpec")["properties"]["inputs"]["items"]
    spec_items["required"] = ["category"]
    schema(theirs, "Error")["required"].append("subCategory")
    found = texts(theirs, ours)
    assert f"POST {PURGE}: request body .inputs[].typeId: required removed upstream" in found
    assert f"GET {LABELS}: response default body .subCategory: required added upstream" in found
    assert len(found) == 1 + 4  # the purge input, and Error in each of the four operations


def test_property_type_change(theirs, ours) -> None:
    schema(theirs, "Error")["properties"]["subCategory"] = {"type": "object", "properties": {}}
    assert (
        f"POST {PURGE}: response default body .subCategory: type object (theirs) vs string (ours)"
        in (texts(theirs, ours))
    )


def test_property_added_and_removed(theirs, ours) -> None:
    props = schema(theirs, "PublicAssociationDefinitionUserConfiguration")["properties"]
    props["inverseLabel"] = {"type": "string"}
    del props["label"]
    assert texts(theirs, ours) == [
        f"POST {CREATE}: response 201 body .results[].inverseLabel: property added upstream",
        f"POST {CREATE}: response 201 body .results[].label: property removed upstream",
    ]


def test_format_change_in_array_items(theirs, ours) -> None:
    create = schema(theirs, "PublicAssociationDefinitionConfigurationCreateRequest")
    create["properties"]["maxToObjectIds"]["format"] = "int64"
    assert texts(theirs, ours) == [
        f"POST {CREATE}: request body .inputs[].maxToObjectIds: "
        "format int64 (theirs) vs int32 (ours)"
    ]


def test_additional_properties_values_are_compared(theirs, ours) -> None:
    context = schema(theirs, "Error")["properties"]["context"]
    context["additionalProperties"] = {"type": "string"}
    assert (
        f"GET {LABELS}: response default body .context{{}}: type string (theirs) vs array (ours)"
        in (texts(theirs, ours))
    )
    del context["additionalProperties"]
    assert f"GET {LABELS}: response default body .context: " in "\n".join(texts(theirs, ours))


# ------------------------------------------------------------------ cycles


def test_recursive_schemas_terminate_and_report_once_per_operation(theirs, ours) -> None:
    schema(theirs, "PublicErrorDetail")["properties"]["code"]["type"] = "integer"
    found = texts(theirs, ours)
    assert (
        found.count(
            f"POST {PURGE}: response default body .errors[].code: "
            "type integer (theirs) vs string (ours)"
        )
        == 1
    )
    assert len(found) == 4


def test_a_ref_that_refers_to_itself_is_an_error(theirs, ours) -> None:
    theirs["components"]["schemas"]["Loop"] = {"$ref": "#/components/schemas/Loop"}
    schema(theirs, "Error")["properties"]["message"] = {"$ref": "#/components/schemas/Loop"}
    with pytest.raises(SpecError, match="refers to itself"):
        compare_specs(theirs, ours)


def test_allof_that_includes_itself_terminates(theirs, ours) -> None:
    schema(ours, "Spec")["allOf"] = [{"$ref": "#/components/schemas/Spec"}]
    assert texts(theirs, ours) == []


# ------------------------------------------------------------------ command line


def test_cli_identical_specs_exit_0() -> None:
    result = run(str(SPECS / "theirs-same.json"), "--ours", str(SPECS / "ours.yaml"))
    assert result.returncode == 0, result.stderr
    assert "Summary: 0 differences" in result.stdout


def test_cli_reports_grouped_differences_and_exits_1() -> None:
    result = run(str(SPECS / "theirs-changed.json"), "--ours", str(SPECS / "ours.yaml"))
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "Note: API version segment differs: 2026-03 (theirs) vs v4 (ours)" in out
    assert "Operations added upstream:\n  POST /crm/associations/2026-03/{fromObjectType}" in out
    assert f"Operations removed upstream:\n  DELETE {DELETE_LABEL}" in out
    assert f"POST {PURGE}\n  responses:\n    response 200: added upstream\n" in out
    assert "response 201 body .status: enum value FAILED added upstream" in out
    assert "/crm/objects/" not in out  # outside the associations area
    assert out.rstrip().endswith(
        "Summary: 5 differences; 3 operations matched (2 with differences), "
        "1 added upstream, 1 removed upstream"
    )


def test_cli_json_output_parses(capsys) -> None:
    status = main(
        [str(SPECS / "theirs-changed.json"), "--ours", str(SPECS / "ours.yaml"), "--json"]
    )
    payload = json.loads(capsys.readouterr().out)
    assert status == 1
    assert payload["summary"]["differences"] == len(payload["differences"]) == 5
    purge = [d for d in payload["differences"] if d["operation"] == f"POST {PURGE}"]
    assert {(d["section"], d["location"], d["message"]) for d in purge} == {
        ("responses", "response 200", "added upstream"),
        ("responses", "response 204", "removed upstream"),
    }
    assert len(payload["notes"]) == 1


def test_missing_file_exits_2(capsys, tmp_path) -> None:
    assert main([str(tmp_path / "absent.json"), "--ours", str(SPECS / "ours.yaml")]) == 2
    assert "absent.json: no such file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("notes.yaml", "just: a mapping\n", "not an OpenAPI spec"),
        ("broken.json", "{not json", "not valid JSON"),
        ("old.json", '{"swagger": "2.0", "paths": {}}', "only OpenAPI 3.x is supported"),
        ("list.yaml", "- a\n- b\n", "not an OpenAPI spec"),
    ],
)
def test_not_a_spec_exits_2(capsys, tmp_path, name, text, message) -> None:
    path = tmp_path / name
    path.write_text(text)
    assert main([str(path), "--ours", str(SPECS / "ours.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("compare-spec: error: ") and message in err


def test_missing_pyyaml_says_what_to_install(capsys, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "yaml", None)  # makes `import yaml` raise ImportError
    assert main([str(SPECS / "theirs-same.json"), "--ours", str(SPECS / "ours.yaml")]) == 2
    assert "pip install 'PyYAML>=6'" in capsys.readouterr().err


def test_usage_error_exits_2() -> None:
    result = run()
    assert result.returncode == 2
    assert "usage: compare-spec" in result.stderr


def test_default_ours_is_the_project_spec() -> None:
    assert compare_spec.DEFAULT_OURS == REPO / "openapi" / "hubspot-associations-v4.yaml"


# ------------------------------------------------------------------ notes in our spec

NOTE = "x-differs-from-hubspot"


def test_a_note_on_our_response_explains_its_difference(theirs, ours) -> None:
    responses = theirs["paths"][PURGE]["post"]["responses"]
    del responses["204"]
    responses["200"] = {
        "description": "ok",
        "content": {"application/json": {"schema": {"type": "object", "properties": {}}}},
    }
    ours["paths"][PURGE]["post"]["responses"]["204"][NOTE] = "Older versions answer 204."
    report = compare_specs(theirs, ours)
    # The note explains only what it is attached to: the added 200 is still reported.
    assert [str(d) for d in report.differences] == [f"POST {PURGE}: response 200: added upstream"]
    assert [(str(e.difference), e.note) for e in report.explained] == [
        (f"POST {PURGE}: response 204: removed upstream", "Older versions answer 204.")
    ]


def test_a_note_on_our_schema_explains_everything_below_it(theirs, ours) -> None:
    schema(theirs, "Error")["required"].append("subCategory")
    schema(theirs, "Error")["properties"]["subCategory"] = {"type": "object", "properties": {}}
    schema(ours, "Error")[NOTE] = "Errors are read whatever they carry."
    report = compare_specs(theirs, ours)
    assert report.differences == []
    assert len(report.explained) == 2 * 4  # two differences, in each of the four operations
    assert {e.note for e in report.explained} == {"Errors are read whatever they carry."}


def test_a_note_on_a_property_explains_its_removal(theirs, ours) -> None:
    props = schema(theirs, "PublicAssociationDefinitionUserConfiguration")["properties"]
    del props["label"]
    del props["typeId"]
    label_schema = schema(ours, "Limit")["properties"]["label"]
    label_schema[NOTE] = "Older versions omit it."
    report = compare_specs(theirs, ours)
    assert [str(d) for d in report.differences] == [
        f"POST {CREATE}: response 201 body .results[].typeId: property removed upstream"
    ]
    assert [str(e.difference) for e in report.explained] == [
        f"POST {CREATE}: response 201 body .results[].label: property removed upstream"
    ]


def test_explained_differences_are_listed_with_their_note_and_exit_0(tmp_path, capsys) -> None:
    theirs = copy.deepcopy(load_spec(SPECS / "theirs-same.json"))
    ours = load_spec(SPECS / "ours.yaml")
    del theirs["paths"][PURGE]["post"]["responses"]["204"]
    ours["paths"][PURGE]["post"]["responses"]["204"][NOTE] = "Older versions answer 204."
    (tmp_path / "theirs.json").write_text(json.dumps(theirs))
    (tmp_path / "ours.json").write_text(json.dumps(ours))
    status = main([str(tmp_path / "theirs.json"), "--ours", str(tmp_path / "ours.json")])
    out = capsys.readouterr().out
    assert status == 0
    assert f"Explained by {NOTE} notes in our spec (1):" in out
    assert "  Older versions answer 204.\n" in out
    assert f"    POST {PURGE}: response 204: removed upstream" in out
    assert "Summary: 0 differences (1 more explained by notes)" in out
    main([str(tmp_path / "theirs.json"), "--ours", str(tmp_path / "ours.json"), "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert payload["differences"] == []
    assert payload["explained"][0]["note"] == "Older versions answer 204."


@pytest.mark.parametrize(
    "published",
    [
        "associationsSchema.v4.json",
        "associationsSchema.v4.at-7add9eb.json",
        "associationsSchema.2025-09.json",
        "associationsSchema.2026-03.json",
        "associations.v4.json",
        "associations.2026-03.json",
    ],
)
def test_every_difference_from_every_published_version_is_explained(published: str) -> None:
    # The project's spec reads every version HubSpot published: each difference is deliberate.
    theirs = load_spec(Path(__file__).parent / "fixtures" / "hubspot-specs" / published)
    report = compare_specs(theirs, load_spec(compare_spec.DEFAULT_OURS))
    assert [str(d) for d in report.differences] == []
    assert report.explained  # the project's spec does differ, for reasons it states


def test_records_paths_match_across_their_two_forms() -> None:
    # v4 puts the version first, the dated versions second: one operation either way.
    v4 = compare_spec.normalise_path("/crm/v4/objects/{t}/{id}/associations/{to}")
    dated = compare_spec.normalise_path("/crm/objects/2026-03/{t}/{id}/associations/{to}")
    assert v4 == dated
    batch = compare_spec.normalise_path("/crm/v4/associations/{f}/{t}/batch/create")
    assert batch == compare_spec.normalise_path("/crm/associations/2026-03/{f}/{t}/batch/create")


def test_operations_are_assigned_to_hubspots_two_documents() -> None:
    assert compare_spec.document_of("/crm/associations/v4/definitions/configurations/all") == (
        "schema"
    )
    assert compare_spec.document_of("/crm/associations/v4/{from}/{to}/labels/{id}") == "schema"
    assert compare_spec.document_of("/crm/v4/associations/{f}/{t}/batch/labels/archive") == (
        "records"
    )
    assert compare_spec.document_of("/crm/v4/objects/{t}/{id}/associations/{to}") == "records"

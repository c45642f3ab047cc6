"""The Python package: the module `missive_templates` and the `missive` command beside it.

Run by .ci/wheel against the installed wheel (a fresh virtual environment outside the
repository); the repository's templates and examples are the inputs.
"""

import json
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import missive_templates as missive

ROOT = Path(__file__).resolve().parents[2]


def source(name: str) -> str:
    return (ROOT / "templates" / f"{name}.missive").read_text()


def example(name: str) -> str:
    return (ROOT / "examples" / f"{name}.json").read_text()


# The shared parts that back_in_stock and shipping_update use.
PARTS = ROOT / "templates" / "parts"


def back_in_stock() -> missive.Template:
    return missive.compile(source("back_in_stock"), name="back_in_stock.missive", parts=PARTS)


def cli(*args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("missive")
    assert exe is not None, "the wheel installs the `missive` command"
    return subprocess.run([exe, *args], cwd=ROOT, capture_output=True, text=True)


# --- the command -------------------------------------------------------------------------------


def test_the_command_is_the_native_binary_with_every_subcommand():
    version = cli("--version")
    assert version.returncode == 0
    assert version.stdout.startswith("missive ")
    exe = Path(shutil.which("missive"))
    assert not exe.read_bytes().startswith(b"#!"), "a native executable, not a Python script"
    helped = cli("--help").stdout
    for sub in ("check", "render", "fmt", "lsp", "send", "build", "import"):
        assert sub in helped


def test_the_command_checks_the_bundled_templates():
    checked = cli("check", "templates")
    assert checked.returncode == 0, checked.stdout + checked.stderr


# --- compile and render ------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::missive_templates.MissiveWarning")  # plain-http samples
@pytest.mark.parametrize(
    "name",
    ["back_in_stock", "order_confirmation", "receipt", "carousel", "shipping_update", "text_only"],
)
def test_render_from_a_dict_and_from_a_string_match_the_command(name):
    template = missive.compile(source(name), name=f"{name}.missive", parts=PARTS)
    from_text = template.render(example(name))
    from_dict = template.render(json.loads(example(name)))
    rendered = cli("render", f"templates/{name}.missive", "--data", f"examples/{name}.json")
    assert rendered.returncode == 0, rendered.stderr
    assert from_text == rendered.stdout.strip()
    assert template.render(example(name).encode()) == from_text
    # A dict loses nothing but the numbers' spelling (json.loads reads 75.00 as 75.0).
    assert json.loads(from_dict) == json.loads(from_text)


def test_render_returns_the_body_as_json_text():
    body = json.loads(back_in_stock().render(json.loads(example("back_in_stock"))))
    assert body["text"] == "Good news Lisa! Super Hand Mixer 2000 is back in stock."
    element = body["attachment"]["payload"]["elements"][0]
    assert element["title"] == "Super Hand Mixer 2000"
    assert element["buttons"][1]["url"] == "https://www.cooktoys.example/p/AB123?buy=1"


def test_data_values_are_never_evaluated_as_template_code():
    data = json.loads(example("back_in_stock"))
    data["first_name"] = "{{ session_id }}"
    body = json.loads(back_in_stock().render(data))
    assert body["text"].startswith("Good news {{ session_id }}!")


def test_profiles_by_name_and_an_unknown_one():
    text_and_image = 'notification t\ntext "hi"\nimage "https://example.com/a.png"\n'
    missive.compile(text_and_image, name="t.missive")  # iadvize: text beside an attachment
    with pytest.raises(missive.CompileError):
        missive.compile(text_and_image, profile="messenger", name="t.missive")
    with pytest.raises(ValueError, match="nope"):
        missive.compile(text_and_image, profile="nope")


# --- errors with their locations ---------------------------------------------------------------


def test_a_compile_error_carries_located_diagnostics_and_the_report():
    broken = source("back_in_stock").replace("subtitle:", "subtilte:")
    with pytest.raises(missive.CompileError) as caught:
        missive.compile(broken, name="back_in_stock.missive", parts=PARTS)
    error = caught.value
    assert isinstance(error, missive.MissiveError)
    [d] = [d for d in error.diagnostics if d.severity == "error"]
    assert d.code.startswith("M1")
    assert "subtilte" in d.message
    assert "`subtitle`" in d.help
    assert d.file == "back_in_stock.missive"
    line = broken.splitlines().index("    subtilte: \"Now {{ product.price_label }}\"") + 1
    assert (d.line, d.column, d.end_line, d.end_column) == (line, 5, line, 13)
    # The human report: the same snippet as `missive check`.
    assert f"error[{d.code}]" in error.report
    assert "subtilte:" in error.report and "back_in_stock.missive:" in error.report
    assert str(error) == error.report
    assert repr(d).startswith(f"<Diagnostic error[{d.code}] at back_in_stock.missive:{line}:5")


def test_a_data_error_from_a_string_points_into_the_data():
    text = '{\n  "session_id": "k45",\n  "product": {"sku": "AB1", "name": 42, "price_label": "1 €",\n    "url": "https://x.example/p", "image": "https://x.example/i.png"}\n}'
    with pytest.raises(missive.RenderError) as caught:
        back_in_stock().render(text)
    [d] = [d for d in caught.value.diagnostics if d.severity == "error"]
    assert d.code == "M3003"
    assert "product.name" in d.message
    column = text.splitlines()[2].index("42") + 1
    assert (d.file, d.line, d.column, d.end_column) == ("<data>", 3, column, column + 2)
    assert '"name": 42' in caught.value.report


def test_a_data_error_from_a_dict_names_the_data_path():
    data = json.loads(example("back_in_stock"))
    data["product"]["name"] = 42
    del data["session_id"]
    with pytest.raises(missive.RenderError) as caught:
        back_in_stock().render(data)
    errors = {d.code: d for d in caught.value.diagnostics if d.severity == "error"}
    assert "product.name" in errors["M3003"].message
    assert "session_id" in errors["M3002"].message
    # No line in a dict: the position is the declaration in the template.
    assert all(d.file in (None, "back_in_stock.missive") for d in caught.value.diagnostics)


def test_a_limit_broken_once_rendered_is_a_render_error():
    template = missive.compile(
        'notification t\ninput { name: string max 100 }\ncarousel { element { title: "{{ name }}", subtitle: "s" } }\n',
        name="t.missive",
    )
    assert [w.code for w in template.warnings] == ["M2001"]  # may reach 100 of 80
    assert json.loads(template.render({"name": "x" * 80}))["attachment"]
    with pytest.raises(missive.RenderError) as caught:
        template.render({"name": "x" * 81})
    [d] = [d for d in caught.value.diagnostics if d.severity == "error"]
    assert d.code.startswith("M2")
    assert d.file == "t.missive" and d.line == 3


def test_a_value_json_cannot_hold_is_a_type_error_naming_its_path():
    data = json.loads(example("back_in_stock"))
    data["product"]["name"] = {1, 2}
    with pytest.raises(TypeError, match=r"`product\.name` is a `set`"):
        back_in_stock().render(data)
    data["product"]["name"] = float("nan")
    with pytest.raises(ValueError, match=r"`product\.name` is NaN"):
        back_in_stock().render(data)


def test_render_warnings_are_python_warnings():
    data = json.loads(example("back_in_stock"))
    data["product"]["colour"] = "red"
    with pytest.warns(missive.MissiveWarning, match="product.colour"):
        back_in_stock().render(data)


# --- render_many -------------------------------------------------------------------------------


def test_render_many_warns_as_render_does():
    data = json.loads(example("back_in_stock"))
    data["product"]["colour"] = "red"
    with pytest.warns(missive.MissiveWarning, match="product.colour"):
        [body] = back_in_stock().render_many([data])
    assert isinstance(body, str)


def test_render_many_reports_a_bad_record_in_its_place():
    good = json.loads(example("back_in_stock"))
    bad = json.loads(example("back_in_stock"))
    bad["product"]["url"] = "not a url"
    records = [good, example("back_in_stock"), bad, "{not json", "  ", good]
    results = back_in_stock().render_many(records, jobs=2)
    assert len(results) == len(records)
    assert isinstance(results[0], str) and isinstance(results[5], str)
    assert results[0] == results[1] == back_in_stock().render(good)
    rejected = [r for r in results if isinstance(r, missive.RenderError)]
    assert [r.index for r in rejected] == [2, 3, 4]
    assert any("product.url" in d.message for d in rejected[0].diagnostics)
    [json_error] = rejected[1].diagnostics
    assert (json_error.code, json_error.file, json_error.line) == ("M3001", "<records[3]>", 1)
    assert "blank" in rejected[2].diagnostics[0].message


def test_render_many_rejects_a_record_json_cannot_hold_in_its_place():
    good = json.loads(example("back_in_stock"))
    bad = json.loads(example("back_in_stock"))
    bad["product"]["name"] = {1, 2}
    results = back_in_stock().render_many([good, bad, good])
    assert isinstance(results[0], str) and isinstance(results[2], str)
    error = results[1]
    assert isinstance(error, missive.RenderError) and error.index == 1
    [d] = error.diagnostics
    assert d.code == "M3001" and "`product.name` is a `set`" in d.message


def test_a_render_error_has_no_index_and_no_trailing_blank_lines():
    data = json.loads(example("back_in_stock"))
    data["product"]["url"] = "not a url"
    with pytest.raises(missive.RenderError) as caught:
        back_in_stock().render(data)
    assert caught.value.index is None
    assert str(caught.value) == str(caught.value).rstrip()


def test_uses_of_shared_parts_need_the_parts_folder():
    with pytest.raises(missive.CompileError) as caught:
        missive.compile(source("shipping_update"), name="shipping_update.missive")
    assert {d.code for d in caught.value.diagnostics} == {"M1020"}
    assert "contact_us" in str(caught.value)
    with pytest.raises(ValueError, match="README"):
        missive.compile(source("shipping_update"), parts=ROOT / "README.md")  # not a folder


def test_a_profile_path_may_be_a_path_and_data_is_a_runtime_alias():
    with pytest.raises(ValueError, match="nope"):
        missive.compile(source("back_in_stock"), profile=Path("nope.toml"))
    def accepts(d: missive.Data) -> None: ...
    assert missive.Data is not None


def test_render_many_keeps_the_order_of_many_records():
    base = json.loads(example("back_in_stock"))
    records = []
    for i in range(3000):
        r = json.loads(json.dumps(base))
        r["session_id"] = f"s{i}"
        records.append(r if i % 2 else json.dumps(r, indent=2))
    results = back_in_stock().render_many(iter(records))
    assert len(results) == 3000
    assert results == [back_in_stock().render(r) for r in records]


# --- schema and threads ------------------------------------------------------------------------


def test_input_schema_is_the_json_schema_of_the_input():
    schema = back_in_stock().input_schema()
    assert schema["type"] == "object"
    assert set(schema["required"]) == {"session_id", "product"}
    assert schema["properties"]["product"]["properties"]["name"]["maxLength"] == 60
    # The same schema as `missive build` writes.
    with tempfile.TemporaryDirectory(prefix="missive-py-") as out:
        built = cli("build", "templates/back_in_stock.missive", "--out-dir", out)
        assert built.returncode == 0, built.stderr
        [written] = Path(out).glob("back_in_stock*schema*.json")
        assert json.loads(written.read_text()) == schema


def test_one_template_renders_from_many_threads():
    template = back_in_stock()
    base = json.loads(example("back_in_stock"))

    def record(i):
        r = json.loads(json.dumps(base))
        r["session_id"] = f"s{i}"
        r["product"]["name"] = f"Mixer {i}"
        return r

    expected = [template.render(record(i)) for i in range(400)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda i: template.render(record(i)), range(400)))
    assert got == expected
    assert all(f"Mixer {i}" in body for i, body in enumerate(got))

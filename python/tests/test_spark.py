"""The in-process Spark recipe (examples/spark/render_module.py, docs/spark.md): PySpark local
mode renders rows with the module through mapPartitions, and every output line is compared with
rendering the same row here, in one process.

Needs the PySpark venv that .ci/spark-venv makes (`MISSIVE_SPARK_VENV`) and Java; skipped
without them, failed instead under MISSIVE_REQUIRE_ALL=1. The venv's Python imports the
installed wheel through PYTHONPATH (the module is abi3: any CPython 3.10+ loads it).
"""

import json
import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

import missive_templates as missive

ROOT = Path(__file__).resolve().parents[2]
RECORDS = 600
SCHEMA = (
    "session_id STRING, first_name STRING, product STRUCT<sku: STRING, name: STRING, "
    "price_label: STRING, url: STRING, image: STRING>"
)


def spark_python():
    venv = os.environ.get("MISSIVE_SPARK_VENV")
    python = Path(venv) / "bin" / "python" if venv else None
    if python is None or not python.is_file() or shutil.which("java") is None:
        if os.environ.get("MISSIVE_REQUIRE_ALL") == "1":
            pytest.fail("MISSIVE_SPARK_VENV (a PySpark venv, .ci/spark-venv) and Java are required")
        pytest.skip("no PySpark venv in MISSIVE_SPARK_VENV, or no Java")
    return python


def record(i):
    """Record i; one in about twenty is bad in one of three ways a typed DataFrame holds."""
    r = {
        "session_id": f"s{i:05}",
        "product": {
            "sku": f"SKU{i}",
            "name": f"Crème brûlée torch #{i}",
            "price_label": f"{10 + i % 90},{i % 100:02} €",
            "url": f"https://example.com/p/{i}",
            "image": f"https://example.com/i/{i}.jpg",
        },
    }
    if i % 3:
        r["first_name"] = ["Lisa", "Karim", "Chloé"][i % 3]
    if i % 20 == 7:
        kind = (i // 20) % 3
        if kind == 0:
            r["product"]["url"] = "not a url"
        elif kind == 1:
            r["product"]["name"] = "x" * 61
        else:
            r["product"]["sku"] = None  # required, and null
    return r


def lines(folder: Path):
    return [l for p in sorted(folder.glob("part-*")) for l in p.read_text().splitlines() if l]


def test_map_partitions_with_the_module_matches_one_process(tmp_path):
    python = spark_python()
    template_path = ROOT / "templates" / "back_in_stock.missive"
    data = tmp_path / "records.ndjson"
    data.write_text("".join(json.dumps(record(i), ensure_ascii=False) + "\n" for i in range(RECORDS)))
    out = tmp_path / "out"
    env = dict(os.environ)
    env.update(
        PYTHONPATH=sysconfig.get_paths()["purelib"],  # where the wheel is installed
        PYSPARK_PYTHON=str(python),
        PYSPARK_DRIVER_PYTHON=str(python),
        SPARK_LOCAL_IP="127.0.0.1",
    )
    run = subprocess.run(
        [str(python), str(ROOT / "examples/spark/render_module.py"),
         "--template", str(template_path), "--input", str(data), "--schema", SCHEMA,
         "--output", str(out), "--master", "local[2]", "--partitions", "3"],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr

    template = missive.compile(
        template_path.read_text(), name="back_in_stock.missive", parts=template_path.parent / "parts"
    )
    rendered_lines = lines(out / "rendered")
    rendered = [json.loads(l) for l in rendered_lines]
    rejected = [json.loads(l) for l in lines(out / "rejected")]
    counts = json.loads(run.stdout.strip().splitlines()[-1])
    assert counts == {"read": RECORDS, "rendered": len(rendered), "rejected": len(rejected)}
    assert len(rejected) == sum(1 for i in range(RECORDS) if i % 20 == 7)

    # Every record comes out once, rendered or rejected.
    seen = [r["record"]["session_id"] for r in rendered + rejected]
    assert sorted(seen) == [f"s{i:05}" for i in range(RECORDS)]
    # A rendered body is what this process renders for the same row text, byte for byte.
    decoder = json.JSONDecoder()
    for line in rendered_lines:
        start = len('{"record":')
        _, end = decoder.raw_decode(line, start)
        row, body = line[start:end], line[end + len(',"body":') : -1]
        assert template.render(row) == body
    # A rejected row is one this process rejects too, with the same codes.
    for r in rejected:
        with pytest.raises(missive.RenderError) as caught:
            template.render(r["record"])
        assert [d["code"] for d in r["diagnostics"]] == [d.code for d in caught.value.diagnostics]
        assert any(d["severity"] == "error" for d in r["diagnostics"])

"""Render a DataFrame's rows with the missive module inside the Spark tasks (docs/spark.md).

    render_module.py --template t.missive --input records.ndjson --schema DDL --output OUT \
        [--profile iadvize] [--master local[2]] [--fail-on-rejects]

The in-process path: no binary to ship. Each task compiles the template once (its source
travels with the closure) and renders its partition's rows, `df.toJSON()` lines, with
`Template.render_many` (the batch core) in chunks, through `mapPartitions`. The executors'
Python needs the package (`pip install missive-templates`). Outputs, as render_pipe.py's:

    OUT/rendered/part-*   {"record": <the row as JSON>, "body": <the rendered body>} a line
    OUT/rejected/part-*   {"record": <the row>, "diagnostics": [{"code", "message", ...}]} a
                          line: the reasons travel with the row, not on an executor's stderr
    stdout                {"read": N, "rendered": R, "rejected": J}, with N == R + J checked

It exits 1 when the counts do not add up, and with --fail-on-rejects when any row was rejected.
"""

import argparse
import itertools
import json
import os
import sys

from pyspark.sql import SparkSession

# Rows rendered per call: render_many holds its records in memory.
CHUNK = 5000


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--template", required=True, help="the .missive template")
    p.add_argument("--profile", default="iadvize")
    p.add_argument("--input", required=True, help="NDJSON records (a file or a folder)")
    p.add_argument("--schema", help="the records' schema as a DDL string (inferred if absent)")
    p.add_argument("--output", required=True, help="a folder for rendered/ and rejected/")
    p.add_argument("--master", default="local[2]")
    p.add_argument("--partitions", type=int, default=0, help="repartition the rows first")
    p.add_argument("--fail-on-rejects", action="store_true")
    return p.parse_args()


def renderer(source, profile, name, with_parts):
    """The mapPartitions function: (row, body, None) or (row, None, diagnostics) per row."""

    def render_partition(rows):
        import missive_templates as missive  # on the executor
        from pyspark import SparkFiles

        parts = SparkFiles.get("parts") if with_parts else None
        template = missive.compile(source, profile=profile, name=name, parts=parts)
        while True:
            chunk = list(itertools.islice(rows, CHUNK))
            if not chunk:
                return
            for row, result in zip(chunk, template.render_many(chunk, jobs=1)):
                if isinstance(result, missive.RenderError):
                    reasons = [
                        {"code": d.code, "severity": d.severity, "message": d.message,
                         "line": d.line, "column": d.column, "help": d.help}
                        for d in result.diagnostics
                    ]
                    yield (row, None, reasons)
                else:
                    yield (row, result, None)

    return render_partition


def main():
    args = parse_args()
    # Compile on the driver first: a template with errors stops here, with the report.
    import missive_templates as missive

    with open(args.template, encoding="utf-8") as f:
        source = f.read()
    name = os.path.basename(args.template)
    # The shared parts its `use`s bring in: the `parts/` folder beside it.
    parts = os.path.join(os.path.dirname(os.path.abspath(args.template)), "parts")
    with_parts = os.path.isdir(parts)
    try:
        missive.compile(source, profile=args.profile, name=name, parts=parts if with_parts else None)
    except missive.CompileError as e:
        print(e.report, file=sys.stderr)
        return 1

    spark = (
        SparkSession.builder.master(args.master)
        .appName("missive-render-module")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    if with_parts:
        spark.sparkContext.addFile(parts, recursive=True)

    reader = spark.read
    if args.schema:
        reader = reader.schema(args.schema)
    df = reader.json(args.input)
    if args.partitions:
        df = df.repartition(args.partitions)

    results = df.toJSON().mapPartitions(renderer(source, args.profile, name, with_parts)).cache()
    rendered = results.filter(lambda r: r[1] is not None)
    rejected = results.filter(lambda r: r[1] is None)
    rendered.map(lambda r: '{"record":' + r[0] + ',"body":' + r[1] + "}").saveAsTextFile(
        os.path.join(args.output, "rendered")
    )
    rejected.map(
        lambda r: '{"record":' + r[0] + ',"diagnostics":' + json.dumps(r[2]) + "}"
    ).saveAsTextFile(os.path.join(args.output, "rejected"))

    counts = {"read": results.count(), "rendered": rendered.count(), "rejected": rejected.count()}
    print(json.dumps(counts), flush=True)
    spark.stop()
    if counts["read"] != counts["rendered"] + counts["rejected"]:
        print("the counts do not add up", file=sys.stderr)
        return 1
    if args.fail_on_rejects and counts["rejected"]:
        print(f"{counts['rejected']} records rejected: see {args.output}/rejected", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

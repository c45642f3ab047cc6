"""Render a DataFrame's rows with missive, as a Spark stage (docs/spark.md).

    render_pipe.py --missive /abs/path/missive --template /abs/path/t.missive \
        --input records.ndjson --schema DDL --output OUT [--master local[2]] [--fail-on-rejects]

Each row goes to `missive render TEMPLATE --data-ndjson - --aligned` as one JSON line
(`df.toJSON()`), through `rdd.pipe`. In aligned mode missive writes exactly one line per input
line, the body or `null` for a record it rejects, so the output zips back to the input and
rejected records are data, not a failed task. The script writes two side outputs and a summary:

    OUT/rendered/part-*   {"record": <the row as JSON>, "body": <the rendered body>} a line
    OUT/rejected/part-*   the rows missive rejected, as JSON (their reasons are on the
                          executors' standard error, one `record N: ...` line each)
    stdout                {"read": N, "rendered": R, "rejected": J}, with N == R + J checked

It exits 1 when the counts do not add up, and with --fail-on-rejects when any row was rejected.
"""

import argparse
import json
import os
import shlex
import sys

from pyspark import SparkFiles
from pyspark.sql import SparkSession


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--missive", required=True, help="the missive binary")
    p.add_argument("--template", required=True, help="the .missive template")
    p.add_argument("--input", required=True, help="NDJSON records (a file or a folder)")
    p.add_argument("--schema", help="the records' schema as a DDL string (inferred if absent)")
    p.add_argument("--output", required=True, help="a folder for rendered/ and rejected/")
    p.add_argument("--master", default="local[2]")
    p.add_argument("--partitions", type=int, default=0, help="repartition the rows first")
    p.add_argument("--fail-on-rejects", action="store_true")
    return p.parse_args()


def main():
    args = parse_args()
    spark = (
        SparkSession.builder.master(args.master)
        .appName("missive-render")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    sc = spark.sparkContext
    sc.setLogLevel("ERROR")

    # Ship the binary and the template with the job; pipe runs with an empty environment, so
    # the command names both by absolute path and sets what it needs in `env`.
    sc.addFile(os.path.abspath(args.missive))
    sc.addFile(os.path.abspath(args.template))
    # The shared parts its `use`s bring in: the `parts/` folder beside it, shipped beside it.
    parts = os.path.join(os.path.dirname(os.path.abspath(args.template)), "parts")
    if os.path.isdir(parts):
        sc.addFile(parts, recursive=True)
    missive = SparkFiles.get(os.path.basename(args.missive))
    template = SparkFiles.get(os.path.basename(args.template))
    command = " ".join(
        shlex.quote(a)
        for a in [
            missive, "render", template,
            "--data-ndjson", "-",
            "--aligned",          # one line per record: the body, or `null` when rejected
            "--jobs", "1",        # Spark runs one process per task already
            "--format", "short",  # each rejected record: one line on the executor's stderr
        ]
    )
    env = {"NO_COLOR": "1", "LC_ALL": "C.UTF-8"}

    reader = spark.read
    if args.schema:
        reader = reader.schema(args.schema)
    df = reader.json(args.input)
    if args.partitions:
        df = df.repartition(args.partitions)

    records = df.toJSON().cache()
    # checkCode=True: a crashed or killed missive fails the task (and, after its retries, the
    # stage) instead of silently truncating the partition's output.
    bodies = records.pipe(command, env=env, checkCode=True)
    # Aligned output has as many lines as the partition has records: zip pairs them, and
    # fails the job if a partition's counts ever differ.
    pairs = records.zip(bodies).cache()

    rendered = pairs.filter(lambda p: p[1] != "null")
    rejected = pairs.filter(lambda p: p[1] == "null").keys()
    rendered.map(lambda p: '{"record":' + p[0] + ',"body":' + p[1] + "}").saveAsTextFile(
        os.path.join(args.output, "rendered")
    )
    rejected.saveAsTextFile(os.path.join(args.output, "rejected"))

    counts = {"read": records.count(), "rendered": rendered.count(), "rejected": rejected.count()}
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

"""Render speed from Python, measured in one run over the same records (a 10-element carousel
each, the template of `cargo bench --bench render`): the module from a JSON string and from a
dict, against the same payload built by hand with dicts and `json.dumps`, and against a jinja2
text template. Prints a Markdown table; asserts nothing timed.

    python python/bench/speed.py                          # the README's table
    MISSIVE_BENCH_SHORT=1 python python/bench/speed.py    # CI: a second or two
"""

import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import jinja2

import missive_templates as missive

# The template of `cargo bench --bench render`, kept once beside it.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "benches", "carousel_bench.missive"), encoding="utf-8") as f:
    TEMPLATE = f.read()

JINJA = jinja2.Environment(autoescape=False).from_string(
    '{"text":{{ r.greeting | tojson }},"attachment":{"type":"template","payload":'
    '{"template_type":"generic","elements":['
    "{% for p in r.products %}{% if not loop.first %},{% endif %}"
    '{"title":{{ p.title | tojson }},"image_url":{{ p.image | tojson }},'
    '"subtitle":{{ p.subtitle | tojson }},"buttons":['
    '{"type":"web_url","url":{{ ("https://shop.example/view?item_id=" ~ p.id) | tojson }},"title":"View Item"},'
    '{"type":"web_url","url":{{ ("https://shop.example/buy?item_id=" ~ p.id) | tojson }},"title":"Buy Item"}]}'
    "{% endfor %}]}}}"
)


def records(n):
    out = []
    for r in range(n):
        products = [
            {
                "id": f"{r}{i}",
                "title": f"Classic T-Shirt number {i}",
                "subtitle": f"Soft cotton t-shirt, back in style for record {r}",
                "image": f"https://shop.example/img/item{r}{i}.png",
                "price": i * 10 + 9.9,
            }
            for i in range(10)
        ]
        out.append({"greeting": f"hello, customer {r}!", "products": products})
    return out


def by_hand(r):
    """The payload built with dicts, no checks: what a backend writes without missive."""
    return json.dumps(
        {
            "text": r["greeting"],
            "attachment": {
                "type": "template",
                "payload": {
                    "template_type": "generic",
                    "elements": [
                        {
                            "title": p["title"],
                            "image_url": p["image"],
                            "subtitle": p["subtitle"],
                            "buttons": [
                                {"type": "web_url", "url": f"https://shop.example/view?item_id={p['id']}", "title": "View Item"},
                                {"type": "web_url", "url": f"https://shop.example/buy?item_id={p['id']}", "title": "Buy Item"},
                            ],
                        }
                        for p in r["products"]
                    ],
                },
            },
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


def rates(ways, rounds):
    """Records per second of each way, the best of `rounds` rounds; each round times every way
    in turn, so that a change of load on a shared machine hits them all alike."""
    best = [float("inf")] * len(ways)
    for _ in range(rounds):
        for k, (_, fn, items) in enumerate(ways):
            start = time.perf_counter()
            fn(items)
            best[k] = min(best[k], (time.perf_counter() - start) / len(items))
    return [1 / b for b in best]


def main():
    short = os.environ.get("MISSIVE_BENCH_SHORT") == "1"
    n, rounds = (300, 1) if short else (2000, 15)
    dicts = records(n)
    texts = [json.dumps(d) for d in dicts]
    template = missive.compile(TEMPLATE, name="carousel_bench.missive")

    # Every way gives the same message.
    for d, t in zip(dicts[:50], texts[:50]):
        same = json.loads(template.render(t))
        assert json.loads(template.render(d)) == same
        assert json.loads(by_hand(d)) == same
        assert json.loads(JINJA.render(r=d)) == same

    def threads(fn, items):
        # Each thread renders its half in a loop (one future per record would time the pool).
        halves = [items[: len(items) // 2], items[len(items) // 2 :]]
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(lambda half: [fn(x) for x in half], halves))

    ways = [
        ("hand-built dicts + `json.dumps`, from a JSON string (`json.loads` first)",
         lambda xs: [by_hand(json.loads(x)) for x in xs], texts),
        ("hand-built dicts + `json.dumps`, from a dict", lambda xs: [by_hand(x) for x in xs], dicts),
        (f"jinja2 {jinja2.__version__} text template (`tojson`), from a dict",
         lambda xs: [JINJA.render(r=x) for x in xs], dicts),
        ("`template.render(json_str)`", lambda xs: [template.render(x) for x in xs], texts),
        ("`template.render(dict)`", lambda xs: [template.render(x) for x in xs], dicts),
        ("`template.render(json_str)`, two threads", lambda xs: threads(template.render, xs), texts),
        ("`template.render(dict)`, two threads", lambda xs: threads(template.render, xs), dicts),
        ("`template.render_many(json_strs)` (batch core, one thread per core)",
         lambda xs: template.render_many(xs), texts),
    ]
    rows = [(name, r) for (name, _, _), r in zip(ways, rates(ways, rounds))]
    base = rows[0][1]
    print(f"Python {sys.version.split()[0]}, missive_templates {missive.__version__}, "
          f"{n} records, best of {rounds} rounds")
    print("| | records/s | vs hand-built from a JSON string | vs hand-built from a dict |")
    print("|---|---:|---:|---:|")
    for name, r in rows:
        print(f"| {name} | {r:,.0f} | {r / base:.2f}x | {r / rows[1][1]:.2f}x |")


if __name__ == "__main__":
    main()

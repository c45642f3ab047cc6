//! Render throughput, measured against a baseline in the same run (never as a timed test).
//!
//! One NDJSON record per notification, each a 10-element carousel. The baseline is the "Value
//! floor": parse the record into a `serde_json::Value` and write a prebuilt body. missive parses
//! the record into its borrowed, spanned JSON and renders the compiled template straight out.
//!
//!     cargo bench --bench render

use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, Instant};

const TEMPLATE: &str = r#"notification carousel_bench
input {
  greeting: string max 100
  products: list max 10 of { id: string max 12, title: string max 60, subtitle: string max 80, image: url, price: number }
}
text greeting
carousel {
  for product in products {
    element {
      title: product.title
      image_url: product.image
      subtitle: product.subtitle
      button web_url { url: "https://shop.example/view?item_id={{ product.id }}", title: "View Item" }
      button web_url { url: "https://shop.example/buy?item_id={{ product.id }}", title: "Buy Item" }
    }
  }
}
"#;

fn records(n: usize) -> Vec<String> {
    (0..n)
        .map(|r| {
            let products: Vec<String> = (0..10)
                .map(|i| {
                    format!(
                        r#"{{"id":"{r}{i}","title":"Classic T-Shirt number {i}","subtitle":"Soft cotton t-shirt, back in style for record {r}","image":"https://shop.example/img/item{r}{i}.png","price":{p}.90}}"#, p = i * 10 + 9
                    )
                })
                .collect();
            format!(r#"{{"greeting":"hello, customer {r}!","products":[{}]}}"#, products.join(","))
        })
        .collect()
}

/// Runs `f` over all records repeatedly for about `budget`; returns records per second.
fn measure(records: &[String], budget: Duration, mut f: impl FnMut(&str, &mut Vec<u8>)) -> f64 {
    let mut out = Vec::with_capacity(64 * 1024);
    // Warm up.
    for r in records.iter().take(1000) {
        out.clear();
        f(r, &mut out);
    }
    let start = Instant::now();
    let mut done = 0usize;
    while start.elapsed() < budget {
        for r in records {
            out.clear();
            f(r, &mut out);
            black_box(&out);
        }
        done += records.len();
    }
    done as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let recs = records(2000);
    let template = missive::compile(TEMPLATE, &missive::Options::default())
        .template
        .expect("the bench template compiles");
    let budget = Duration::from_secs(3);

    // The body a Value-based tool would write after parsing the record.
    let data = missive::json::parse(&recs[0]).unwrap();
    let mut prebuilt = Vec::new();
    template.render_to(&mut prebuilt, &data).unwrap();

    let baseline = measure(&recs, budget, |r, out| {
        let v: serde_json::Value = serde_json::from_str(r).unwrap();
        black_box(&v);
        out.write_all(&prebuilt).unwrap();
        out.push(b'\n');
    });
    let parse_only = measure(&recs, budget, |r, out| {
        let data = missive::json::parse(r).unwrap();
        black_box(&data);
        out.push(b'\n');
    });
    // Render alone, over data parsed beforehand.
    let parsed: Vec<missive::json::Node> = recs
        .iter()
        .map(|r| missive::json::parse(r).unwrap())
        .collect();
    let render_only = {
        let mut out = Vec::with_capacity(64 * 1024);
        let start = Instant::now();
        let mut done = 0usize;
        while start.elapsed() < budget {
            for d in &parsed {
                out.clear();
                template.render_to(&mut out, d).unwrap();
                black_box(&out);
            }
            done += parsed.len();
        }
        done as f64 / start.elapsed().as_secs_f64()
    };
    let render = measure(&recs, budget, |r, out| {
        let data = missive::json::parse(r).unwrap();
        template.render_to(out, &data).unwrap();
        out.push(b'\n');
    });
    let checked = measure(&recs, budget, |r, out| {
        let data = missive::json::parse(r).unwrap();
        assert!(missive::check::data::validate(&data, &template.input).is_empty());
        template.render_to(out, &data).unwrap();
        out.push(b'\n');
    });

    println!(
        "10-element carousel per record, one core, {} records per pass",
        recs.len()
    );
    println!(
        "  baseline: serde_json::Value parse + prebuilt body  {baseline:>10.0} records/s  1.00x"
    );
    println!(
        "  missive: spanned JSON parse only                   {parse_only:>10.0} records/s  {:.2}x",
        parse_only / baseline
    );
    println!(
        "  missive: render only (data parsed beforehand)      {render_only:>10.0} records/s  {:.2}x",
        render_only / baseline
    );
    println!(
        "  missive: parse + render                            {render:>10.0} records/s  {:.2}x",
        render / baseline
    );
    println!(
        "  missive: parse + data checks + render              {checked:>10.0} records/s  {:.2}x",
        checked / baseline
    );
}

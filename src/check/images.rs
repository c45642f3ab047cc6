//! Image checks (`--check-images`): the guide asks for 1.91:1 images, and a generic template
//! crops to its `image_aspect_ratio` (1.91:1 `horizontal`, the default, or 1:1 `square`).
//! Dimensions come from the image's first bytes only, over HTTP with a short timeout or from a
//! local folder that mirrors the URLs' paths.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;

use crate::diagnostic::{codes, Diagnostic};
use crate::model::images::{Aspect, ImageRef};
use crate::span::Span;

/// How much of an image is read: enough for the header of every common format.
const HEAD_BYTES: u64 = 64 * 1024;
/// How far a ratio may be from the target before the image is visibly cropped or padded.
const TOLERANCE: f64 = 0.03;

/// Where image bytes come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// Fetched over HTTP(S), first bytes only (feature `images-http`).
    #[cfg(feature = "images-http")]
    Http {
        /// How long one image may take to answer.
        timeout: std::time::Duration,
    },
    /// A folder mirroring the URLs' paths: `https://shop.example/img/a.png` is `DIR/img/a.png`.
    Dir(PathBuf),
}

/// Reads each image's dimensions and warns about the ones that will be cropped (M4010) or
/// could not be read (M4011). Each URL is read once.
pub(crate) fn check(images: &[ImageRef], source: &Source) -> Vec<Diagnostic> {
    let mut sizes: HashMap<&str, Result<(usize, usize), String>> = HashMap::new();
    let mut out = Vec::new();
    for img in images {
        let size = sizes
            .entry(&img.url)
            .or_insert_with(|| dimensions(&img.url, source));
        let from = img
            .data_path
            .as_ref()
            .map(|p| format!(" (from `{p}`)"))
            .unwrap_or_default();
        match size {
            Ok((w, h)) => {
                let (w, h) = (*w, *h);
                if h == 0 {
                    continue;
                }
                let ratio = w as f64 / h as f64;
                let target = img.aspect.ratio();
                if (ratio / target - 1.0).abs() > TOLERANCE {
                    let (tw, th) = if ratio > target {
                        ((h as f64 * target).round() as usize, h)
                    } else {
                        (w, (w as f64 / target).round() as usize)
                    };
                    out.push(
                        codes::m4010_image_aspect(format!("the image is {w}×{h} ({ratio:.2}:1), shown at {}{from}", img.aspect.name()))
                            .at(img.span, format!("{w}×{h}, Messenger crops it to {}", img.aspect.name()))
                            .help(format!(
                                "crop the image to {} (e.g. {tw}×{th}){}",
                                img.aspect.name(),
                                if img.aspect == Aspect::Horizontal && (ratio - 1.0).abs() < TOLERANCE {
                                    ", or set `image_aspect_ratio: \"square\"` on the carousel"
                                } else {
                                    ""
                                }
                            ))
                            .note("iAdvize integration guide: « Limitation des Attachments (visuels) : 1.91:1 »"),
                    );
                }
            }
            Err(why) => out.push(
                codes::m4011_image_unreadable(format!("could not read the image's size{from}"))
                    .at(img.span, why.clone())
                    .help(unreadable_help(&img.url, source)),
            ),
        }
    }
    out
}

fn dimensions(url: &str, source: &Source) -> Result<(usize, usize), String> {
    let head = read(url, source, HEAD_BYTES)?;
    imagesize::blob_size(&head)
        .map(|s| (s.width, s.height))
        .map_err(|e| format!("not an image missive can read ({e})"))
}

/// The help of M4011 for the image at `url`: with `--images DIR`, the file looked for.
pub fn unreadable_help(url: &str, source: &Source) -> String {
    match source {
        Source::Dir(dir) => match mirrored(url, dir) {
            Ok(path) => format!(
                "put the image at `{}` (the folder given with `--images` mirrors the URLs' paths), or check the URL",
                path.display()
            ),
            Err(_) => "check the URL".to_string(),
        },
        #[allow(unreachable_patterns)]
        _ => "check the URL, or give a local copy of the images with `--images DIR` (the folder mirrors the URLs' paths)".to_string(),
    }
}

/// Where a folder that mirrors the URLs' paths (`--images DIR`) holds the image at `url`:
/// `https://shop.example/img/a.png` is `DIR/img/a.png`.
pub fn mirrored(url: &str, dir: &std::path::Path) -> Result<PathBuf, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
    let rel = parsed.path().trim_start_matches('/');
    Ok(dir.join(
        percent_encoding::percent_decode_str(rel)
            .decode_utf8_lossy()
            .as_ref(),
    ))
}

/// The first `limit` bytes of the image at `url`, from `source`: what `--check-images` reads
/// sizes from, and what the preview inlines. The error says why, in a few words.
pub fn read(url: &str, source: &Source, limit: u64) -> Result<Vec<u8>, String> {
    Ok(match source {
        Source::Dir(dir) => {
            let path = mirrored(url, dir)?;
            let file = std::fs::File::open(&path).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => format!("no file `{}`", path.display()),
                _ => format!("cannot open `{}`: {e}", path.display()),
            })?;
            let mut head = Vec::new();
            file.take(limit)
                .read_to_end(&mut head)
                .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
            head
        }
        #[cfg(feature = "images-http")]
        Source::Http { timeout } => {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .timeout_global(Some(*timeout))
                .http_status_as_error(false)
                .build()
                .into();
            let response = agent
                .get(url)
                .header("Range", format!("bytes=0-{}", limit.saturating_sub(1)))
                .call()
                .map_err(|e| format!("cannot fetch it: {e}"))?;
            let status = response.status().as_u16();
            if !(200..300).contains(&status) {
                return Err(format!("the server answered HTTP {status}"));
            }
            let mut head = Vec::new();
            response
                .into_body()
                .into_reader()
                .take(limit)
                .read_to_end(&mut head)
                .map_err(|e| format!("cannot read it: {e}"))?;
            head
        }
    })
}

/// The images a template names literally, for `check --check-images` without data: the IR
/// walked without data, with a sink that collects literal image URLs.
pub(crate) fn literal(t: &crate::Template) -> Vec<ImageRef> {
    use crate::ir::walk::{self, NoData, Sink};
    use crate::ir::{FieldIr, Items, Member, ObjIr, ObjKind};

    /// Collects the literal images outside receipts, with the shape each is shown in.
    struct Images {
        out: Vec<ImageRef>,
        /// The shape of the current generic template, innermost last.
        aspects: Vec<Aspect>,
    }

    impl<'t> Sink<'t, NoData<'t>> for Images {
        type Mark = ();

        fn enter_object(&mut self, flow: &mut NoData<'t>, o: &'t ObjIr) -> bool {
            if o.kind == ObjKind::Receipt {
                return false;
            }
            let outer = self.aspects.last().copied().unwrap_or(Aspect::Horizontal);
            let aspect = if o.kind == ObjKind::Generic {
                o.members
                    .iter()
                    .find_map(|m| match m {
                        Member::Field(f) if f.key() == "image_aspect_ratio" => f
                            .val
                            .literal(flow.source())
                            .map(|json| Aspect::from_value(json.trim_matches('"'))),
                        _ => None,
                    })
                    .unwrap_or(Aspect::Horizontal)
            } else {
                outer
            };
            self.aspects.push(aspect);
            true
        }

        fn leave_object(&mut self, _: &mut NoData<'t>, _: &'t ObjIr) {
            self.aspects.pop();
        }

        fn field(&mut self, flow: &mut NoData<'t>, f: &'t FieldIr) {
            if !matches!(f.spec.name, "image_url" | "image") {
                return;
            }
            if let Some(json) = f.val.literal(flow.source()) {
                if let Ok(url) = serde_json::from_str::<String>(json) {
                    self.out.push(ImageRef {
                        url,
                        span: f.span,
                        aspect: self.aspects.last().copied().unwrap_or(Aspect::Horizontal),
                        data_path: None,
                    });
                }
            }
        }

        fn enter_item(&mut self, _: &mut NoData<'t>, _: &'t Items, _: Span, _: bool) {}
    }

    let mut images = Images {
        out: Vec::new(),
        aspects: Vec::new(),
    };
    walk::object(&mut NoData::over(t.literals()), &mut images, &t.body);
    images.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{compile, Options};

    #[test]
    fn literal_images_take_the_shape_of_their_carousel_and_skip_receipts() {
        let source = r#"notification t
    carousel {
      image_aspect_ratio: "square"
      element { title: "Mug", image_url: "https://shop.example/mug.png", subtitle: "x" }
    }
    "#;
        let t = compile(source, &Options::default())
            .template
            .expect("compiles");
        let images = literal(&t);
        assert_eq!(images.len(), 1, "{images:?}");
        assert_eq!(images[0].url, "https://shop.example/mug.png");
        assert_eq!(images[0].aspect, Aspect::Square);

        let receipt = r#"notification t
    receipt {
      recipient_name: "Lisa Martin"
      order_number: "A1"
      currency: "EUR"
      payment_method: "Visa 5469"
      element { title: "Mug", price: 75.00, image_url: "https://shop.example/mug.png" }
      summary { total_cost: 75.00 }
    }
    "#;
        let t = compile(receipt, &Options::default())
            .template
            .expect("compiles");
        assert!(literal(&t).is_empty());
    }
}

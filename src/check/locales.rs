//! Languages, in checking: `locales { en: "en-IE", fr: "fr-FR" }` declares the locales a
//! template is written in (a key, and the BCP 47 tag that formats its values; the first is the
//! default), and a text that differs per locale is a block with one field per key:
//! `title { en: "...", fr: "..." }`. A plain value is the same in every locale.
//!
//! The tree is lowered once per locale, each text per locale replaced by that locale's value,
//! and each lowering is checked as a template of its own: every limit and worst-case bound is
//! proved for every locale, with the declared inputs the text reads. Their diagnostics are
//! merged: one found in every locale is reported once, one found in some only names them
//! ("`title` may reach 88 characters in `fr`, the limit is 80").

use std::ops::Range;

use crate::diagnostic::{codes, Diagnostic};
use crate::ir::{Locale, PathIr, Template};
use crate::model::schema::{self, BlockSpec};
use crate::model::types::{self, Scope, Ty};
use crate::span::Span;
use crate::syntax::ast::{self, Item, Value};
use crate::syntax::Parse;

use super::{check_parsed, media_kind, Compiled, Options, Tree};

/// The `locales { }` block, as declared.
struct Declared {
    locales: Vec<(Locale, Span)>,
    /// `from: customer.locale`: where a record names its locale.
    from: Option<ast::Path>,
}

impl Declared {
    fn keys(&self) -> impl Iterator<Item = &str> {
        self.locales.iter().map(|(l, _)| l.key.as_str())
    }
}

/// Checks a parsed template in each locale it declares (once, as before, when it declares none).
pub(super) fn check(parsed: Parse, source: &str, options: &Options, tree: Tree<'_>) -> Compiled {
    // Each `use` of a shared part is replaced by the part's items first, so that a part's
    // texts per locale are lowered with the template's own; the result keeps the tree as
    // written (the language server and `fmt` read it).
    // The part's items keep their positions in a copy of the part's file placed after the
    // template's text (`SourceMap`): the checks read the part's text there, and the
    // diagnostics are placed back in the part's file, with the use that brought it in.
    if super::parts::has_uses(&parsed.file.items) {
        let mut uses_diags = Vec::new();
        let expanded = super::parts::expand(&parsed.file, source, &options.parts, &mut uses_diags);
        let written = parsed.file;
        let parsed_broken = parsed.broken_from;
        let mut diagnostics = parsed.diagnostics;
        diagnostics.append(&mut uses_diags);
        let tree = Parse {
            file: expanded.file,
            diagnostics,
            broken_from: parsed.broken_from,
        };
        // Past a `{` left open the tree is a guess, but the copies brought in by the uses
        // before it are not: their diagnostics are kept.
        // (Before the opener's line, where the check of the template stops: a use on that
        // line, or the one the `{` opens, is past it.)
        let kept = parsed_broken.map_or(0..0, |opener| {
            expanded
                .map
                .copies_before(super::line_start(source, opener))
        });
        let mut compiled = check_expanded(
            tree,
            &expanded.text,
            source.len(),
            kept,
            options,
            Tree::Release,
        );
        super::parts::drop_follow_ons(&mut compiled.diagnostics, &expanded.uses);
        crate::diagnostic::place(&mut compiled.diagnostics, &expanded.map);
        crate::diagnostic::sort(&mut compiled.diagnostics);
        crate::diagnostic::dedup(&mut compiled.diagnostics);
        compiled.parts = expanded.map.files().to_vec();
        if !expanded.map.is_empty() {
            let map = std::sync::Arc::new(expanded.map);
            if let Some(t) = &mut compiled.template {
                t.sources = Some(map.clone());
                for tr in &mut t.translations {
                    tr.sources = Some(map.clone());
                }
            }
        }
        compiled.file = written;
        return compiled;
    }
    check_expanded(parsed, source, source.len(), 0..0, options, tree)
}

/// [`check`] of a tree whose uses of parts are expanded (`source`: the template's text, then
/// the copies of the part files it uses from `template_len` on; `kept`: the positions of the
/// copies whose diagnostics are kept in a template broken before its end).
fn check_expanded(
    parsed: Parse,
    source: &str,
    template_len: usize,
    kept: Range<u32>,
    options: &Options,
    tree: Tree<'_>,
) -> Compiled {
    let mut own = Vec::new();
    let declared = declaration(&parsed.file, &mut own);
    let Some(declared) = declared else {
        if !has_localized_text(&parsed.file) && own.is_empty() {
            return check_parsed(parsed, source, options, None, kept, tree);
        }
        // Texts per locale without a declaration: checked once, in the first text of each.
        let file = lower(&parsed.file, None, None, &mut own);
        past_break(&mut own, &parsed, source, &kept);
        let mut compiled = check_lowered(&parsed, file, source, options, None, kept);
        own.append(&mut compiled.diagnostics);
        return finish(compiled, own, Vec::new(), source);
    };
    let mut compiled = Vec::new();
    for (i, (locale, _)) in declared.locales.iter().enumerate() {
        let mut scratch = Vec::new();
        let report = if i == 0 { &mut own } else { &mut scratch };
        let file = lower(&parsed.file, Some(&declared), Some(&locale.key), report);
        compiled.push(check_lowered(
            &parsed,
            file,
            source,
            options,
            Some(locale),
            kept.clone(),
        ));
    }
    let keys: Vec<&str> = declared.keys().collect();
    let mut diagnostics = merge(&mut compiled, &keys, template_len);
    let mut first = compiled.remove(0);
    if let Some(from) = &declared.from {
        // On the default locale's template only, which chooses among the others: a
        // translation renders in its own locale whatever the record says.
        let path = locale_from(from, &first.input, &mut own);
        if let Some(t) = &mut first.template {
            t.locale_from = path;
        }
    }
    past_break(&mut own, &parsed, source, &kept);
    diagnostics.append(&mut own);
    let translations = compiled.into_iter().filter_map(|c| c.template).collect();
    finish(first, diagnostics, translations, source)
}

/// In a template broken by a `{` left open, the locale diagnostics found past its line are
/// dropped and their fixes too, as [`super::check_parsed`] does with the others.
fn past_break(own: &mut Vec<Diagnostic>, parsed: &Parse, source: &str, kept: &Range<u32>) {
    if let Some(opener) = parsed.broken_from {
        super::drop_past_break(own, super::line_start(source, opener), kept);
    }
}

/// The compiled template of the default locale, with the others and every diagnostic.
fn finish(
    mut first: Compiled,
    mut diagnostics: Vec<Diagnostic>,
    translations: Vec<Template>,
    source: &str,
) -> Compiled {
    crate::diagnostic::clamp_to(&mut diagnostics, source.len());
    crate::diagnostic::sort(&mut diagnostics);
    let failed = diagnostics.iter().any(Diagnostic::is_error);
    first.template = first.template.filter(|_| !failed);
    if let Some(t) = &mut first.template {
        t.translations = translations;
    }
    first.diagnostics = diagnostics;
    first
}

/// Checks one lowering of the tree; the result keeps the tree as written (the language server
/// and `fmt` read it).
fn check_lowered(
    parsed: &Parse,
    file: ast::File,
    source: &str,
    options: &Options,
    locale: Option<&Locale>,
    kept: Range<u32>,
) -> Compiled {
    let lowered = Parse {
        file,
        diagnostics: parsed.diagnostics.clone(),
        broken_from: parsed.broken_from,
    };
    let mut compiled = check_parsed(lowered, source, options, locale, kept, Tree::Release);
    compiled.file = parsed.file.clone();
    compiled
}

/// The diagnostics of every locale, each once; those found in some locales only name them.
/// A fix in a shared part's text found in some locales only (`source_len`: where the template's
/// text ends and the parts' copies begin) is left out: the part file's own check, which would
/// apply it, does not know the template's locales.
fn merge(compiled: &mut [Compiled], keys: &[&str], source_len: usize) -> Vec<Diagnostic> {
    let mut merged: Vec<(Diagnostic, Vec<usize>)> = Vec::new();
    for (i, c) in compiled.iter_mut().enumerate() {
        for d in std::mem::take(&mut c.diagnostics) {
            match merged
                .iter_mut()
                .find(|(m, seen)| !seen.contains(&i) && *m == d)
            {
                Some((_, seen)) => seen.push(i),
                None => merged.push((d, vec![i])),
            }
        }
    }
    merged
        .into_iter()
        .map(|(mut d, seen)| {
            if seen.len() < keys.len() {
                let names: Vec<String> = seen.iter().map(|&i| format!("`{}`", keys[i])).collect();
                d.message = in_locales(&d.message, &names.join(" and "));
                // Past the room left for the parser's repair of a broken template.
                let in_part = |span: crate::span::Span| {
                    span.start as usize >= source_len + super::parts::REPAIR_ROOM
                };
                let mut dropped = false;
                for l in &mut d.labels {
                    if l.fix.as_ref().is_some_and(|f| in_part(f.span)) {
                        l.fix = None;
                        dropped = true;
                    }
                }
                if dropped {
                    if let Some(help) = &mut d.help {
                        *help = help.replace(
                            "applied by `missive check --fix --unsafe-fixes`",
                            "an edit to make in the part file by hand: its own check does not know the template's locales",
                        );
                    }
                }
            }
            d
        })
        .collect()
}

/// `message` naming the locales it was found in: before its first `, ` ("`title` may reach 88
/// characters in `fr`, the limit is 80"), else at its end.
fn in_locales(message: &str, names: &str) -> String {
    match message.find(", ") {
        Some(at) => format!("{} in {names}{}", &message[..at], &message[at..]),
        None => format!("{message} in {names}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The declaration

/// The top-level `locales { }` block, checked (M1030; a key given twice, M1005).
fn declaration(file: &ast::File, diags: &mut Vec<Diagnostic>) -> Option<Declared> {
    let mut blocks = file.items.iter().filter_map(|i| match i {
        Item::Block(b) if b.kind.name == "locales" && b.label.is_none() => Some(b),
        _ => None,
    });
    let block = blocks.next()?;
    for again in blocks {
        diags.push(
            codes::m1030_locales_declaration("`locales` is given twice")
                .at(again.kind.span, "second `locales` block")
                .at(block.kind.span, "first `locales` block")
                .help("declare every locale in one `locales { ... }` block"),
        );
    }
    let mut declared = Declared {
        locales: Vec::new(),
        from: None,
    };
    for item in &block.items {
        let Item::Field(f) = item else {
            if !matches!(item, Item::Error(_)) {
                diags.push(
                    codes::m1030_locales_declaration("`locales` holds `key: \"tag\"` fields only")
                        .at(item.span(), "not a locale")
                        .help("write one field per locale, e.g. `fr: \"fr-FR\"`"),
                );
            }
            continue;
        };
        let key = &f.name.name;
        if key == "from" {
            match &f.value {
                Value::Path(p) => declared.from = Some(p.clone()),
                other => diags.push(
                    codes::m1030_locales_declaration("`from` takes the path of a string in the input")
                        .at(other.span(), "not a path")
                        .help("name the data field that holds each record's locale key, e.g. `from: customer.locale`"),
                ),
            }
            continue;
        }
        if let Some((_, prev)) = declared.locales.iter().find(|(l, _)| l.key == key) {
            diags.push(
                codes::m1005_duplicate_field(format!("the locale `{key}` is declared twice"))
                    .at(f.name.span, "second declaration")
                    .at(*prev, "first declaration")
                    .help("declare each locale once"),
            );
            continue;
        }
        if !is_locale_key(key) {
            diags.push(
                codes::m1030_locales_declaration(format!("`{key}` is not a locale key"))
                    .at(f.name.span, "not a short lowercase name")
                    .help("name a locale with its language, and its region when it matters: `fr`, `en`, `pt_br`"),
            );
            continue;
        }
        let tag = match &f.value {
            Value::Str(s) => s.as_literal().filter(|t| is_bcp47(t)),
            _ => None,
        };
        let Some(tag) = tag else {
            diags.push(
                codes::m1030_locales_declaration(format!("the locale `{key}` needs a BCP 47 tag"))
                    .at(f.value.span(), "not a language tag")
                    .help(format!(
                        "give the language and region it formats with, e.g. `{key}: \"{key}-{}\"`",
                        key.to_ascii_uppercase()
                    )),
            );
            continue;
        };
        declared.locales.push((
            Locale {
                key: key.to_string(),
                tag,
            },
            f.name.span,
        ));
    }
    if declared.locales.is_empty() {
        diags.push(
            codes::m1030_locales_declaration("`locales` declares no locale")
                .at(block.kind.span, "no `key: \"tag\"` field")
                .help("declare each locale the template is written in, the default first: `locales { en: \"en-IE\", fr: \"fr-FR\" }`"),
        );
        return None;
    }
    Some(declared)
}

/// `fr`, `en`, `pt_br`: a lowercase language code, and a region or script after `_`.
fn is_locale_key(key: &str) -> bool {
    subtags(key, '_')
        && key
            .bytes()
            .take_while(|b| *b != b'_')
            .all(|b| b.is_ascii_lowercase())
}

/// A BCP 47 tag as CLDR uses them: `fr-FR`, `zh-Hant-TW`.
fn is_bcp47(tag: &str) -> bool {
    subtags(tag, '-')
}

/// A language of 2 or 3 letters, then subtags of 2 to 8 letters or digits, joined by `sep`.
fn subtags(s: &str, sep: char) -> bool {
    let mut parts = s.split(sep);
    let lang = parts.next().unwrap_or("");
    (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The `from` path, resolved in the declared input: a string.
fn locale_from(p: &ast::Path, input: &types::ObjTy, diags: &mut Vec<Diagnostic>) -> Option<PathIr> {
    let segs: Vec<(&str, Span)> = p.segs();
    let scope = Scope {
        root: input,
        locals: Vec::new(),
    };
    let resolved = match scope.resolve(&segs) {
        Ok(r) => r,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    if !matches!(resolved.ty, Ty::String { .. }) {
        diags.push(
            codes::m1030_locales_declaration(format!(
                "`from` reads `{}`, which is {}, not a string",
                p.dotted(),
                resolved.ty.describe()
            ))
            .at(p.span, "not a string")
            .help("name a string input that holds the record's locale key (`fr`)"),
        );
        return None;
    }
    Some(PathIr {
        base: resolved.base,
        keys: resolved.keys.iter().map(|k| k.as_str().into()).collect(),
        dotted: p.dotted().into(),
        span: p.span,
        optional: resolved.optional,
        decl: resolved.decl,
        numeric: false,
    })
}

// ---------------------------------------------------------------------------------------------
// Lowering one locale

/// Where an item stands: at the top level, or in a block of a known kind.
#[derive(Clone, Copy)]
enum Place {
    Top,
    In(&'static BlockSpec),
    /// A block the checker will refuse: its content is left as written.
    Unknown,
}

/// The tree for the locale `pick` (the first text of each when there is no declaration):
/// each text per locale becomes the field (or the top-level `text`) it stands for, and
/// `locales { }` is taken out. Mistakes in the texts per locale go to `diags`.
fn lower(
    file: &ast::File,
    declared: Option<&Declared>,
    pick: Option<&str>,
    diags: &mut Vec<Diagnostic>,
) -> ast::File {
    let mut lowering = Lowering {
        declared,
        pick,
        diags,
    };
    ast::File {
        items: lowering.items(&file.items, Place::Top),
        comments: file.comments.clone(),
    }
}

struct Lowering<'d, 'g> {
    declared: Option<&'d Declared>,
    pick: Option<&'d str>,
    diags: &'g mut Vec<Diagnostic>,
}

/// A block that is a text per locale where it stands: `text { }` at the top level, a field's
/// name in a block (`title { }`), never a child block's keyword.
fn is_localized(b: &ast::Block, place: Place) -> bool {
    if b.label.is_some() {
        return false;
    }
    match place {
        Place::Top => b.kind.name == "text",
        Place::In(spec) => {
            spec.fields.iter().any(|f| f.name == b.kind.name)
                && !spec.children.iter().any(|c| c.keyword == b.kind.name)
        }
        Place::Unknown => false,
    }
}

/// The spec of a block standing at `place`, when it is a block of a known kind.
fn place_of(b: &ast::Block, place: Place) -> Place {
    let kind = match place {
        Place::Top => media_kind(&b.kind.name)
            .or_else(|| {
                schema::ATTACHMENT_BLOCKS
                    .iter()
                    .find(|(k, _, _)| *k == b.kind.name)
                    .map(|(_, kind, _)| *kind)
            })
            .or_else(|| {
                (b.kind.name == "quick_replies").then_some(schema::BlockKind::QuickReplies)
            }),
        Place::In(spec) => spec
            .children
            .iter()
            .find(|c| c.keyword == b.kind.name)
            .map(|c| c.block),
        Place::Unknown => None,
    };
    kind.and_then(|k| schema::spec(k, b.label.as_ref().map(|l| l.name.as_str())))
        .map_or(Place::Unknown, Place::In)
}

fn has_localized_text(file: &ast::File) -> bool {
    fn any(items: &[Item], place: Place) -> bool {
        items.iter().any(|item| match item {
            Item::Block(b) => is_localized(b, place) || any(&b.items, place_of(b, place)),
            Item::For(f) => any(&f.items, place),
            Item::If(i) => {
                i.branches.iter().any(|b| any(&b.items, place))
                    || i.otherwise.as_ref().is_some_and(|o| any(o, place))
            }
            _ => false,
        })
    }
    any(&file.items, Place::Top)
}

impl Lowering<'_, '_> {
    fn items(&mut self, items: &[Item], place: Place) -> Vec<Item> {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Item::Block(b)
                    if matches!(place, Place::Top)
                        && b.kind.name == "locales"
                        && b.label.is_none() => {}
                Item::Block(b) if is_localized(b, place) => match self.localized(b, place) {
                    Some(value) => out.push(if matches!(place, Place::Top) {
                        Item::Command(ast::Command {
                            name: b.kind.clone(),
                            args: vec![value],
                            span: b.span,
                        })
                    } else {
                        Item::Field(ast::Field {
                            name: b.kind.clone(),
                            value,
                            span: b.span,
                        })
                    }),
                    None => out.push(item.clone()),
                },
                Item::Block(b) => {
                    let inner = place_of(b, place);
                    out.push(Item::Block(ast::Block {
                        items: self.items(&b.items, inner),
                        ..b.clone()
                    }));
                }
                Item::For(f) => out.push(Item::For(ast::For {
                    items: self.items(&f.items, place),
                    ..f.clone()
                })),
                Item::If(i) => out.push(Item::If(ast::If {
                    branches: i
                        .branches
                        .iter()
                        .map(|br| ast::Branch {
                            items: self.items(&br.items, place),
                            ..br.clone()
                        })
                        .collect(),
                    otherwise: i.otherwise.as_ref().map(|o| self.items(o, place)),
                    ..i.clone()
                })),
                other => out.push(other.clone()),
            }
        }
        out
    }

    /// The value of a text per locale for the locale being lowered; `None` (the block left
    /// as written, for the checker to refuse) when it holds no `key: value` field.
    fn localized(&mut self, b: &ast::Block, place: Place) -> Option<Value> {
        let name = &b.kind.name;
        // How one value for every locale is written there: `text "..."`, `title: "..."`.
        let one = if matches!(place, Place::Top) {
            format!("`{name} \"...\"`")
        } else {
            format!("`{name}: \"...\"`")
        };
        let mut fields: Vec<&ast::Field> = Vec::new();
        for item in &b.items {
            match item {
                Item::Field(f) => {
                    if let Some(prev) = fields.iter().find(|p| p.name.name == f.name.name) {
                        self.diags.push(
                            codes::m1005_duplicate_field(format!(
                                "`{name}` has two `{}` texts",
                                f.name.name
                            ))
                            .at(f.name.span, "second text")
                            .at(prev.name.span, "first text")
                            .help("keep one text per locale"),
                        );
                        continue;
                    }
                    fields.push(f);
                }
                Item::Error(_) => {}
                other => self.diags.push(
                    codes::m1030_locales_declaration(
                        "a text per locale holds one `key: value` per locale, not a block",
                    )
                    .at(other.span(), "not a text")
                    .help(format!("write `{name} {{ en: \"...\", fr: \"...\" }}`")),
                ),
            }
        }
        let first = fields.first()?;
        let Some(declared) = self.declared else {
            self.diags.push(
                codes::m1030_locales_declaration(format!(
                    "`{name}` has a text per locale, but the template declares no `locales`"
                ))
                .at(b.kind.span, "text per locale")
                .help(format!("declare the locales in the template, under its `notification` line, the default first, e.g. `locales {{ en: \"en-IE\", fr: \"fr-FR\" }}`; or write one value: {one}")),
            );
            return Some(first.value.clone());
        };
        for f in &fields {
            let key = f.name.name.as_str();
            if declared.keys().any(|k| k == key) {
                continue;
            }
            let mut d = codes::m1032_unknown_locale(format!("`{key}` is not a declared locale"))
                .at(f.name.span, format!("`{name}` in an undeclared locale"));
            d = match types::suggest(key, declared.keys()) {
                Some(near) => d
                    .help(format!("a locale with a similar key is declared: `{near}`"))
                    .fix(f.name.span, near),
                None => d.help(format!(
                    "declare it in `locales {{ }}` (e.g. `{key}: \"{key}-XX\"`), or remove this text"
                )),
            };
            self.diags.push(d);
        }
        for (locale, _) in &declared.locales {
            if fields.iter().any(|f| f.name.name == locale.key) {
                continue;
            }
            let key = &locale.key;
            self.diags.push(
                codes::m1031_missing_translation(format!("`{name}` has no `{key}` text"))
                    .at(b.kind.span, format!("no `{key}:` in this block"))
                    .help(format!("add `{key}: \"...\"` with the text in `{key}` ({}), or write one value for every locale: {one}", locale.tag)),
            );
        }
        // A locale without its text (already reported) is checked with the default's.
        let chosen = self
            .pick
            .and_then(|k| fields.iter().find(|f| f.name.name == k));
        let default = declared
            .locales
            .first()
            .and_then(|(l, _)| fields.iter().find(|f| f.name.name == l.key));
        Some(chosen.or(default).unwrap_or(first).value.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locales_are_named_before_the_first_comma() {
        assert_eq!(
            in_locales("`title` may reach 88 characters, the limit is 80", "`fr`"),
            "`title` may reach 88 characters in `fr`, the limit is 80"
        );
        assert_eq!(
            in_locales("`text` is empty", "`en` and `fr`"),
            "`text` is empty in `en` and `fr`"
        );
    }

    #[test]
    fn locale_keys_and_tags() {
        assert!(is_locale_key("fr") && is_locale_key("pt_br") && !is_locale_key("French"));
        assert!(is_bcp47("fr-FR") && is_bcp47("zh-Hant-TW") && !is_bcp47("fr_FR"));
    }
}

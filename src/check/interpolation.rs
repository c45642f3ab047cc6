//! Checking interpolations: strings with `{{ }}` and `{% %}`, and `if` conditions. Plain paths
//! are resolved here and joined without a template engine; anything else is compiled by
//! minijinja, whose variables are resolved against `input` and whose filters must exist.

use super::Checker;
use crate::diagnostic::{codes, Diagnostic};
use crate::ir::*;
use crate::model::types::{self, Base, Ty};
use crate::span::Span;
use crate::syntax::ast::{self, StrLit, StrPart};

impl Checker<'_> {
    /// A string with interpolations: plain `{{ path }}`s are joined directly; anything else is
    /// compiled by minijinja.
    pub(super) fn string(&mut self, s: &StrLit) -> Option<StrIr> {
        let plain = s.parts.iter().all(|p| match p {
            StrPart::Lit { .. } | StrPart::Comment { .. } => true,
            StrPart::Expr { src, .. } => is_plain_path(src),
            StrPart::Stmt { .. } => false,
        });
        if plain {
            let mut parts = Vec::new();
            let mut ok = true;
            for p in &s.parts {
                match p {
                    StrPart::Lit { text, .. } => parts.push(Part::Lit(text.as_str().into())),
                    StrPart::Expr { src, span } => {
                        let (path, _) = self.text_path(src, *span);
                        match path {
                            Some(path) => parts.push(Part::Path(path)),
                            None => ok = false,
                        }
                    }
                    _ => {}
                }
            }
            return ok.then_some(StrIr::Parts(parts));
        }
        // Build the minijinja source; literal text is protected with `raw` when it has braces.
        let mut src = String::new();
        let mut map: Vec<(usize, usize)> = Vec::new();
        for p in &s.parts {
            match p {
                StrPart::Lit { text, span } => {
                    map.push((src.len(), span.start as usize));
                    if text.contains(['{', '}', '%', '#']) {
                        // Braces written with `\{` stay text: emit them as a string literal.
                        src.push_str("{{ '");
                        for c in text.chars() {
                            match c {
                                '\\' => src.push_str("\\\\"),
                                '\'' => src.push_str("\\'"),
                                '\n' => src.push_str("\\n"),
                                '\r' => src.push_str("\\r"),
                                '\t' => src.push_str("\\t"),
                                c => src.push(c),
                            }
                        }
                        src.push_str("' }}");
                    } else {
                        src.push_str(text);
                    }
                }
                StrPart::Expr { src: e, span } => {
                    map.push((src.len(), span.start as usize));
                    src.push_str("{{");
                    src.push_str(e);
                    src.push_str("}}");
                }
                StrPart::Stmt { src: e, span } => {
                    map.push((src.len(), span.start as usize));
                    src.push_str("{%");
                    src.push_str(e);
                    src.push_str("%}");
                }
                StrPart::Comment { .. } => {}
            }
        }
        let to_source = |pos: usize| -> usize {
            let i = map.partition_point(|&(p, _)| p <= pos).max(1) - 1;
            map.get(i)
                .map_or(s.span.start as usize, |&(p, start)| start + (pos - p))
        };
        let mut ok = true;
        for p in &s.parts {
            if let StrPart::Expr { src, span } | StrPart::Stmt { src, span } = p {
                ok &= self.filters_exist(src, span.start as usize + 2);
            }
        }
        let engine = self.engine(src, s.span, to_source);
        engine.filter(|_| ok).map(|e| StrIr::Engine(Box::new(e)))
    }

    /// Reports filters and tests that minijinja does not have (it would only say so while
    /// rendering). `src` starts at byte `at` of the template.
    fn filters_exist(&mut self, src: &str, at: usize) -> bool {
        let mut ok = true;
        // minijinja-contrib's `truncate` takes keyword arguments only.
        if let Some(i) = src.find("truncate(") {
            let args = src[i + 9..].trim_start();
            let arg_at = at + src.len() - args.len();
            if args.starts_with(|c: char| c.is_ascii_digit()) {
                ok = false;
                let n: String = args.chars().take_while(char::is_ascii_digit).collect();
                self.push(
                    codes::m0006_invalid_interpolation("`truncate` takes its length by name")
                        .at(
                            Span::new(at + i, at + i + 9),
                            "a positional argument here fails when rendering",
                        )
                        .help(format!("write `truncate(length={n})`"))
                        .fix(Span::new(arg_at, arg_at), "length="),
                );
            }
        }
        for (name, offset, is_test) in filter_names(src) {
            if !is_test && crate::intl::FILTERS.contains(&name) {
                let span = Span::new(at + offset, at + offset + name.len());
                let args = super::formats::call_args(src, offset + name.len());
                ok &= self.format_filter(name, args, span);
                continue;
            }
            let probe = if is_test {
                format!("{{{{ none is {name} }}}}")
            } else {
                format!("{{{{ none | {name} }}}}")
            };
            let unknown = match self.env.render_str(&probe, ()) {
                Err(e) => matches!(
                    e.kind(),
                    minijinja::ErrorKind::UnknownFilter | minijinja::ErrorKind::UnknownTest
                ),
                Ok(_) => false,
            };
            if !unknown {
                continue;
            }
            ok = false;
            let what = if is_test { "test" } else { "filter" };
            let span = Span::new(at + offset, at + offset + name.len());
            let known: &[&str] = if is_test { KNOWN_TESTS } else { KNOWN_FILTERS };
            let mut d = codes::m0006_invalid_interpolation(format!("unknown {what} `{name}`"))
                .at(span, format!("minijinja has no such {what}"));
            d = match types::suggest(name, known.iter().copied()) {
                Some(s) => d.help(format!("a {what} with a similar name exists: `{s}`")).fix(span, s),
                None => d.help(format!("the {what}s are minijinja's built-in ones and `truncate`, `pluralize`, `striptags`")),
            };
            self.push(d);
        }
        ok
    }

    /// M0006: the innermost `{% if %}` or `{% for %}` of the string at `span` that is never
    /// closed, when there is one: located at its tag, with the closing tag to add (an unsafe
    /// fix right after the value it guards, else at the end of the string: where the guarded
    /// text ends is the author's call).
    fn unclosed_tag(&self, span: Span) -> Option<Diagnostic> {
        let text = self.text.get(span.range())?;
        let mut open: Vec<(&str, Span, &str)> = Vec::new();
        let mut from = 0;
        while let Some(i) = text[from..].find("{%") {
            let start = from + i;
            let end = start + text[start..].find("%}")? + 2;
            let inner = text[start + 2..end - 2]
                .trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace());
            let keyword = inner.split_whitespace().next().unwrap_or("");
            let tag = Span::new(span.start as usize + start, span.start as usize + end);
            match keyword {
                "if" => open.push(("endif", tag, &text[start..end])),
                "for" => open.push(("endfor", tag, &text[start..end])),
                "endif" | "endfor" => {
                    open.pop();
                }
                _ => {}
            }
            from = end;
        }
        let (close, tag, written) = open.pop()?;
        let verb = if close == "endif" {
            "guards"
        } else {
            "repeats"
        };
        let mut help = format!("add `{{% {close} %}}` where the text it {verb} ends");
        let after = &text[(tag.end - span.start) as usize..];
        let d = codes::m0006_invalid_interpolation(format!("`{written}` is never closed"))
            .at(tag, format!("needs a `{{% {close} %}}`"));
        if let Some(shown) = guarded_value(written, after) {
            // `{% if first_name %} {{ first_name }}`: most often the value is what it guards,
            // and the fix closes it there, as the help says.
            help.push_str(&format!(
                ", e.g. right after `{shown}` if only that depends on it: `{shown}{{% {close} %}}`"
            ));
            let at = tag.end as usize + after.find(shown)? + shown.len();
            return Some(d.help(help).fix_unsafe(
                Span::new(at, at),
                format!("{{% {close} %}}"),
                format!("Insert `{{% {close} %}}` right after `{shown}`"),
            ));
        }
        let d = d.help(help);
        let before_quote = if text.ends_with("\"\"\"") && text.len() >= 6 {
            Some(span.end as usize - 3)
        } else if text.ends_with('"') && text.len() >= 2 {
            Some(span.end as usize - 1)
        } else {
            None
        };
        Some(match before_quote {
            Some(at) => d.fix_unsafe(
                Span::new(at, at),
                format!("{{% {close} %}}"),
                format!("Insert `{{% {close} %}}` at the end of the string"),
            ),
            None => d,
        })
    }

    /// Compiles a minijinja source and resolves the variables it reads.
    fn engine(
        &mut self,
        src: String,
        span: Span,
        to_source: impl Fn(usize) -> usize,
    ) -> Option<Engine> {
        let name = format!("s{}", self.engines);
        self.engines += 1;
        if let Err(e) = self.env.add_template_owned(name.clone(), src) {
            let at = e
                .range()
                .map(|r| Span::new(to_source(r.start), to_source(r.end.max(r.start))))
                .filter(|s| s.start >= span.start && s.end <= span.end)
                .unwrap_or(span);
            let detail = e.detail().unwrap_or("invalid expression").to_string();
            // `{% if x %}` without its `{% endif %}`: said at the opener, in plain words.
            if detail.contains("unexpected end of input") {
                if let Some(d) = self.unclosed_tag(span) {
                    self.push(d);
                    return None;
                }
            }
            self.push(
                codes::m0006_invalid_interpolation(format!("invalid template expression: {detail}"))
                    .at(at, detail)
                    .help("interpolations use minijinja syntax: `{{ product.name }}`, `{{ price | round(2) }}`, `{% if first_name %}...{% endif %}`; inside a `\"...\"` string, quote text with `'...'`"),
            );
            return None;
        }
        let tmpl = self.env.get_template(&name).expect("just added");
        let mut vars: Vec<String> = tmpl.undeclared_variables(true).into_iter().collect();
        vars.sort();
        let mut roots: Vec<Box<str>> = Vec::new();
        let mut locals: Vec<(Box<str>, usize)> = Vec::new();
        let mut reads: Vec<PathIr> = Vec::new();
        let mut ok = true;
        for var in vars {
            let segs: Vec<&str> = var.split('.').collect();
            if super::decls::ENGINE_NAMES.contains(&segs[0]) {
                continue;
            }
            let spans = self.find_path(span, &segs);
            let at = spans[0].1;
            match self.scope().resolve(&spans) {
                Ok(r) => {
                    reads.push(PathIr {
                        base: r.base,
                        keys: r.keys.iter().map(|k| k.as_str().into()).collect(),
                        dotted: var.as_str().into(),
                        span: at,
                        optional: r.optional,
                        decl: r.decl,
                        numeric: matches!(r.ty, Ty::Number { .. } | Ty::Integer { .. }),
                    });
                    match r.base {
                        Base::Root => {
                            if !roots.iter().any(|x| &**x == segs[0]) {
                                roots.push(segs[0].into());
                            }
                        }
                        Base::Local(depth) => {
                            if !locals
                                .iter()
                                .any(|(x, _): &(Box<str>, usize)| &**x == segs[0])
                            {
                                locals.push((segs[0].into(), depth));
                            }
                        }
                    }
                }
                Err(mut d) => {
                    ok = false;
                    // A near-name fix replaces exactly the name it corrects: one whose span
                    // could not be narrowed to that name is left out, not applied to more.
                    for l in &mut d.labels {
                        let exact = l.fix.as_ref().is_some_and(|f| {
                            self.text.get(f.span.range()).is_some_and(|t| {
                                !t.is_empty() && t.chars().all(|c| c.is_alphanumeric() || c == '_')
                            })
                        });
                        if !exact {
                            l.fix = None;
                        }
                    }
                    self.push(d);
                }
            }
        }
        ok.then(|| Engine {
            name: name.into(),
            roots,
            locals,
            reads,
            span,
        })
    }

    /// Each segment of a dotted path (`order.numbr`) with its span in the source: its first
    /// occurrence inside a `{{ }}` or `{% %}` of the string at `span` (never in the literal text
    /// around them). A segment that cannot be found stands at the first segment's span, or at
    /// the whole string's.
    fn find_path<'s>(&self, span: Span, segs: &[&'s str]) -> Vec<(&'s str, Span)> {
        let text = &self.text[span.range()];
        let ident = |c: char| c.is_alphanumeric() || c == '_';
        // The expression parts of the string: from each `{{` or `{%` to its closer.
        let mut regions = Vec::new();
        let mut from = 0;
        while let Some(i) = text[from..].find('{') {
            let start = from + i;
            let close = match text.as_bytes().get(start + 1) {
                Some(b'{') => "}}",
                Some(b'%') => "%}",
                _ => {
                    from = start + 1;
                    continue;
                }
            };
            let end = text[start + 2..]
                .find(close)
                .map_or(text.len(), |j| start + 2 + j);
            regions.push((start + 2, end));
            from = (end + 2).min(text.len());
            if from >= text.len() {
                break;
            }
        }
        // The whole path, segment by segment (`a . b` as minijinja allows), at a word boundary.
        let matches_at = |at: usize| -> Option<Vec<(usize, usize)>> {
            let mut out = Vec::new();
            let mut pos = at;
            for (k, seg) in segs.iter().enumerate() {
                if k > 0 {
                    let rest = &text[pos..];
                    let trimmed = rest.trim_start();
                    let dot = trimmed.strip_prefix('.')?;
                    pos += rest.len() - dot.len();
                    pos += dot.len() - dot.trim_start().len();
                }
                if !text[pos..].starts_with(seg) {
                    return None;
                }
                out.push((pos, pos + seg.len()));
                pos += seg.len();
            }
            let after = text[pos..].chars().next();
            (!after.is_some_and(ident)).then_some(out)
        };
        let mut first: Option<(usize, usize)> = None;
        for &(a, b) in &regions {
            let mut i = a;
            while let Some(j) = text[i..b].find(segs[0]) {
                let at = i + j;
                let before = text[..at].chars().next_back();
                if !before.is_some_and(|c| ident(c) || c == '.') {
                    if let Some(found) = matches_at(at) {
                        return segs
                            .iter()
                            .zip(found)
                            .map(|(s, (x, y))| (*s, span.sub(x, y)))
                            .collect();
                    }
                    if text[at + segs[0].len()..]
                        .chars()
                        .next()
                        .is_none_or(|c| !ident(c))
                    {
                        first.get_or_insert((at, at + segs[0].len()));
                    }
                }
                i = at + segs[0].len();
            }
        }
        let at = first.map_or(span, |(x, y)| span.sub(x, y));
        segs.iter().map(|s| (*s, at)).collect()
    }

    /// A plain `{{ path }}` in text.
    fn text_path(&mut self, src: &str, span: Span) -> (Option<PathIr>, ()) {
        let trimmed = src.trim();
        let lead = src.len() - src.trim_start().len();
        let start = span.start as usize + 2 + lead;
        let mut segs: Vec<(&str, Span)> = Vec::new();
        let mut off = 0;
        for seg in trimmed.split('.') {
            segs.push((seg, Span::new(start + off, start + off + seg.len())));
            off += seg.len() + 1;
        }
        let r = match self.scope().resolve(&segs) {
            Ok(r) => r,
            Err(d) => {
                self.push(d);
                return (None, ());
            }
        };
        if matches!(r.ty, Ty::Object(_) | Ty::List { .. }) {
            self.push(
                codes::m1003_type_mismatch(format!(
                    "`{trimmed}` is {}, which cannot be inserted into text",
                    r.ty.describe()
                ))
                .at(span, "not a text value")
                .help(format!(
                    "insert one of its fields, e.g. `{{{{ {trimmed}.name }}}}`"
                )),
            );
            return (None, ());
        }
        let path = ast::Path {
            segments: segs
                .iter()
                .map(|(n, s)| ast::Ident {
                    name: (*n).into(),
                    span: *s,
                })
                .collect(),
            span: Span::new(start, start + trimmed.len()),
        };
        (Some(self.path_ir(&path, &r)), ())
    }

    pub(super) fn condition(&mut self, c: &ast::Condition) -> Option<Cond> {
        if is_plain_path(&c.text) {
            let path = ast::Path {
                segments: {
                    let mut off = 0;
                    // A condition a shared part's use rewrote stands at the use: not its text.
                    let written = c.span.range().len() == c.text.len();
                    c.text
                        .split('.')
                        .map(|seg| {
                            let s = if written {
                                c.span.sub(off, off + seg.len())
                            } else {
                                c.span
                            };
                            off += seg.len() + 1;
                            ast::Ident {
                                name: seg.into(),
                                span: s,
                            }
                        })
                        .collect()
                },
                span: c.span,
            };
            let r = self.resolve_path(&path)?;
            return Some(Cond::Path(self.path_ir(&path, &r)));
        }
        if !self.filters_exist(&c.text, c.span.start as usize) {
            return None;
        }
        let prefix = "{% if ".len();
        let src = format!("{{% if {} %}}1{{% endif %}}", c.text);
        let start = c.span.start as usize;
        let len = c.text.len();
        self.engine(src, c.span, move |pos| {
            start + pos.saturating_sub(prefix).min(len)
        })
        .map(Cond::Engine)
    }
}

/// minijinja's filters (with minijinja-contrib's), for suggestions.
const KNOWN_FILTERS: &[&str] = &[
    "abs",
    "attr",
    "batch",
    "bool",
    "capitalize",
    "count",
    "d",
    "default",
    "dictsort",
    "e",
    "escape",
    "first",
    "float",
    "format",
    "groupby",
    "indent",
    "int",
    "items",
    "join",
    "last",
    "length",
    "lines",
    "list",
    "lower",
    "map",
    "max",
    "min",
    "pprint",
    "reject",
    "rejectattr",
    "replace",
    "reverse",
    "round",
    "safe",
    "select",
    "selectattr",
    "slice",
    "sort",
    "split",
    "string",
    "sum",
    "title",
    "tojson",
    "trim",
    "unique",
    "upper",
    // Not `urlencode`: minijinja's `urlencode` feature is off, so it is unknown here too.
    "truncate",
    "pluralize",
    "striptags",
    "filesizeformat",
    "money",
    "number",
    "date",
];

const KNOWN_TESTS: &[&str] = &[
    "defined",
    "undefined",
    "none",
    "true",
    "false",
    "boolean",
    "number",
    "integer",
    "float",
    "string",
    "sequence",
    "mapping",
    "iterable",
    "odd",
    "even",
    "divisibleby",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "in",
    "startingwith",
    "endingwith",
    "containing",
    "lower",
    "upper",
    "safe",
    "escaped",
    "filter",
    "test",
];

/// The filters (`| name`) and tests (`is name`) of an expression, with their byte offsets;
/// quoted strings are skipped.
fn filter_names(src: &str) -> Vec<(&str, usize, bool)> {
    let b = src.as_bytes();
    let ident = |from: usize| -> (usize, usize) {
        let mut i = from;
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
            i += 1;
        }
        (start, i)
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'|' => {
                let (s, e) = ident(i + 1);
                if e > s {
                    out.push((&src[s..e], s, false));
                }
            }
            c if c.is_ascii_alphabetic()
                && (i == 0
                    || !(b[i - 1].is_ascii_alphanumeric()
                        || b[i - 1] == b'_'
                        || b[i - 1] == b'.')) =>
            {
                let (s, e) = ident(i);
                if &src[s..e] == "is" {
                    let (mut s2, mut e2) = ident(e);
                    if &src[s2..e2] == "not" {
                        (s2, e2) = ident(e2);
                    }
                    if e2 > s2 {
                        out.push((&src[s2..e2], s2, true));
                    }
                }
                i = e.max(i + 1);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// `name` or `a.b.c`: a path that needs no template engine.
fn is_plain_path(src: &str) -> bool {
    let t = src.trim();
    !t.is_empty()
        && t.split('.').all(|seg| {
            let mut c = seg.chars();
            c.next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && c.all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        && !super::decls::ENGINE_NAMES.contains(&t.split('.').next().unwrap_or(""))
}

/// The first `{{ NAME ... }}` after an unclosed `{% if NAME %}` (or `{% for x in ... %}`'s `x`)
/// that shows the tested or looped value, as written, when there is one.
fn guarded_value<'t>(tag: &str, after: &'t str) -> Option<&'t str> {
    let inner = tag.trim_start_matches("{%").trim_end_matches("%}");
    let inner = inner.trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace());
    let name = match inner.split_whitespace().collect::<Vec<_>>().as_slice() {
        ["if", cond] => *cond,
        ["for", var, "in", ..] => *var,
        _ => return None,
    };
    let start = after.find("{{")?;
    let end = start + after[start..].find("}}")? + 2;
    let expr = after[start + 2..end - 2].trim_start_matches('-').trim();
    let rest = expr.strip_prefix(name)?;
    (rest.is_empty() || rest.starts_with([' ', '|', '.'])).then_some(&after[start..end])
}

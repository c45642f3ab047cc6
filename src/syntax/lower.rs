//! Lowering: pest pairs -> the spanned syntax tree. Comments are collected on the way; string
//! literals are split into text and interpolations; error lines are explained.

use pest::iterators::Pair;

use super::ast::*;
use super::pest_error;
use super::strings;
use super::Rule;
use crate::diagnostic::{codes, Diagnostic};
use crate::span::Span;

pub struct Lowerer<'a> {
    pub text: &'a str,
    pub comments: Vec<Comment>,
    pub diags: Vec<Diagnostic>,
    /// Spans already explained by the bracket pass: error lines covering them stay quiet.
    pub explained: Vec<usize>,
}

impl<'a> Lowerer<'a> {
    /// The children of a pair, with comments moved aside.
    fn children(&mut self, pair: Pair<'a, Rule>) -> Vec<Pair<'a, Rule>> {
        let mut out = Vec::new();
        for p in pair.into_inner() {
            if p.as_rule() == Rule::COMMENT {
                self.comments.push(Comment {
                    span: p.as_span().into(),
                    text: p.as_str().to_string(),
                });
            } else {
                out.push(p);
            }
        }
        out
    }

    pub fn file(&mut self, pair: Pair<'a, Rule>) -> File {
        let items = self.items(pair, false);
        self.comments.sort_by_key(|c| c.span.start);
        File {
            items,
            comments: std::mem::take(&mut self.comments),
        }
    }

    fn items(&mut self, pair: Pair<'a, Rule>, in_input: bool) -> Vec<Item> {
        let kids = self.children(pair);
        kids.into_iter()
            .filter_map(|p| self.item(p, in_input))
            .collect()
    }

    fn item(&mut self, p: Pair<'a, Rule>, in_input: bool) -> Option<Item> {
        let span: Span = p.as_span().into();
        Some(match p.as_rule() {
            Rule::field => {
                let mut k = self.children(p).into_iter();
                let name = ident(k.next()?);
                let value = self.value(k.next()?);
                Item::Field(Field { name, value, span })
            }
            Rule::command => {
                let mut k = self.children(p).into_iter();
                let name = ident(k.next()?);
                let args = k.map(|v| self.value(v)).collect();
                Item::Command(Command { name, args, span })
            }
            Rule::block => {
                let kids = self.children(p);
                let mut idents = Vec::new();
                let mut items = Vec::new();
                for k in kids {
                    if k.as_rule() == Rule::ident {
                        idents.push(ident(k));
                    } else if let Some(item) = self.item(k, false) {
                        items.push(item);
                    }
                }
                let mut idents = idents.into_iter();
                Item::Block(Block {
                    kind: idents.next()?,
                    label: idents.next(),
                    items,
                    span,
                })
            }
            Rule::for_stmt => {
                let mut var = None;
                let mut iterable = None;
                let mut items = Vec::new();
                for k in self.children(p) {
                    match k.as_rule() {
                        Rule::kw_for | Rule::kw_in => {}
                        Rule::ident if var.is_none() => var = Some(ident(k)),
                        Rule::path => iterable = Some(path(k)),
                        _ => items.extend(self.item(k, false)),
                    }
                }
                Item::For(For {
                    var: var?,
                    iterable: iterable?,
                    items,
                    span,
                })
            }
            Rule::if_stmt => {
                let mut branches: Vec<Branch> = Vec::new();
                let mut otherwise = None;
                let mut otherwise_body = None;
                for k in self.children(p) {
                    match k.as_rule() {
                        Rule::kw_if => {}
                        Rule::condition => branches.push(self.branch(k)),
                        Rule::else_if | Rule::else_branch => {
                            let is_else = k.as_rule() == Rule::else_branch;
                            let mut b: Option<Branch> = None;
                            let mut items = Vec::new();
                            let mut open = None;
                            for kk in self.children(k) {
                                match kk.as_rule() {
                                    Rule::kw_else => {
                                        // The previous body ends at the `}` before `else`.
                                        let close = self.close_before(kk.as_span().start());
                                        if let Some(prev) = branches.last_mut() {
                                            prev.body.end = close as u32;
                                        }
                                        open = Some(self.open_after(kk.as_span().end()));
                                    }
                                    Rule::kw_if => {}
                                    Rule::condition => b = Some(self.branch(kk)),
                                    _ => items.extend(self.item(kk, false)),
                                }
                            }
                            if is_else {
                                otherwise = Some(items);
                                otherwise_body = open.map(|o| Span::new(o, span.end as usize));
                            } else if let Some(mut b) = b {
                                b.items = items;
                                branches.push(b);
                            }
                        }
                        _ => {
                            if let (Some(b), Some(item)) =
                                (branches.last_mut(), self.item(k, false))
                            {
                                b.items.push(item)
                            }
                        }
                    }
                }
                // Without an `else`, pest's span runs over the spaces and comment after the
                // last `}`: the `if` ends at that `}`.
                let end = self.close_before(span.end as usize) as u32;
                let span = Span::new(span.start as usize, end as usize);
                match otherwise_body.as_mut() {
                    Some(body) => body.end = end,
                    None => {
                        if let Some(last) = branches.last_mut() {
                            last.body.end = end;
                        }
                    }
                }
                Item::If(If {
                    branches,
                    otherwise,
                    otherwise_body,
                    span,
                })
            }
            Rule::input_block => {
                let decls = self
                    .children(p)
                    .into_iter()
                    .filter_map(|k| match k.as_rule() {
                        Rule::decl => self.decl(k),
                        Rule::error_line => {
                            self.error_line(k, true);
                            None
                        }
                        _ => None,
                    })
                    .collect();
                Item::Input(Input { decls, span })
            }
            Rule::extra_block => {
                let obj = self
                    .children(p)
                    .into_iter()
                    .find(|k| k.as_rule() == Rule::json_object)?;
                match self.json(obj) {
                    JsonValue::Object(members, _) => Item::Extra(Extra { members, span }),
                    _ => return None,
                }
            }
            Rule::error_line | Rule::stray_close => {
                self.error_line(p, in_input);
                Item::Error(span)
            }
            _ => return None,
        })
    }

    /// A branch from its condition; its body runs to the end of the `if` until a later
    /// `else` says where it closes.
    fn branch(&mut self, cond: Pair<'a, Rule>) -> Branch {
        let open = self.open_after(cond.as_span().end());
        Branch {
            condition: condition(cond),
            items: Vec::new(),
            body: Span::new(open, self.text.len()),
        }
    }

    /// The `{` at or after `at`, past spaces (a body opens on its header's line).
    fn open_after(&self, at: usize) -> usize {
        at + self.text[at..].find('{').unwrap_or(0)
    }

    /// The end of the `}` that comes before `at`, past whitespace, newlines and comments.
    fn close_before(&self, at: usize) -> usize {
        let mut pos = at;
        loop {
            pos = self.text[..pos]
                .trim_end_matches([' ', '\t', '\r', '\n', '\u{FEFF}'])
                .len();
            match self.comments.iter().find(|c| c.span.end as usize == pos) {
                Some(c) if (c.span.start as usize) < pos => pos = c.span.start as usize,
                _ => return pos,
            }
        }
    }

    fn decl(&mut self, p: Pair<'a, Rule>) -> Option<Decl> {
        let span: Span = p.as_span().into();
        let mut name = None;
        let mut optional = false;
        let mut ty = None;
        for k in self.children(p) {
            match k.as_rule() {
                Rule::ident => name = Some(ident(k)),
                Rule::optional_mark => optional = true,
                _ => ty = self.type_expr(k),
            }
        }
        let ty = ty?;
        // A scalar type's span from pest runs over the spaces and comment after it.
        let span = Span::new(span.start as usize, ty.span().end as usize);
        Some(Decl {
            name: name?,
            optional,
            ty,
            span,
        })
    }

    fn type_expr(&mut self, p: Pair<'a, Rule>) -> Option<TypeExpr> {
        let span: Span = p.as_span().into();
        match p.as_rule() {
            Rule::scalar_type => {
                let mut name = None;
                let mut max = None;
                let mut range = None;
                for k in self.children(p) {
                    match k.as_rule() {
                        Rule::ident => name = Some(ident(k)),
                        Rule::max_clause => max = self.max(k),
                        Rule::range_clause => range = range_decl(k),
                        _ => {}
                    }
                }
                Some(TypeExpr::Scalar {
                    name: name?,
                    max,
                    range,
                })
            }
            Rule::list_type => {
                let mut max = None;
                let mut item = None;
                for k in self.children(p) {
                    match k.as_rule() {
                        Rule::kw_list | Rule::kw_of => {}
                        Rule::max_clause => max = self.max(k),
                        _ => item = self.type_expr(k),
                    }
                }
                let item = item?;
                let span = Span::new(span.start as usize, item.span().end as usize);
                Some(TypeExpr::List {
                    max,
                    item: Box::new(item),
                    span,
                })
            }
            Rule::object_type => {
                let decls = self
                    .children(p)
                    .into_iter()
                    .filter_map(|k| match k.as_rule() {
                        Rule::decl => self.decl(k),
                        Rule::error_line => {
                            self.error_line(k, true);
                            None
                        }
                        _ => None,
                    })
                    .collect();
                Some(TypeExpr::Object { decls, span })
            }
            _ => None,
        }
    }

    fn max(&mut self, p: Pair<'a, Rule>) -> Option<Max> {
        let n = self
            .children(p)
            .into_iter()
            .find(|k| k.as_rule() == Rule::integer)?;
        let span: Span = n.as_span().into();
        match n.as_str().parse::<u32>() {
            Ok(value) => Some(Max { value, span }),
            Err(_) => {
                self.diags.push(
                    codes::m0001_syntax_error("this `max` is too large")
                        .at(span, "not a number of characters or items")
                        .help("`max` takes a whole number up to 4294967295"),
                );
                None
            }
        }
    }

    fn value(&mut self, p: Pair<'a, Rule>) -> Value {
        let span: Span = p.as_span().into();
        match p.as_rule() {
            Rule::string | Rule::block_string => Value::Str(self.string(p)),
            Rule::number => Value::Number(p.as_str().to_string(), span),
            Rule::kw_true => Value::Bool(true, span),
            Rule::kw_false => Value::Bool(false, span),
            Rule::kw_null => Value::Null(span),
            _ => Value::Path(path(p)),
        }
    }

    fn string(&mut self, p: Pair<'a, Rule>) -> StrLit {
        let span: Span = p.as_span().into();
        let block = p.as_rule() == Rule::block_string;
        let inner = p.into_inner().next();
        let (text, offset) = inner.map_or(("", span.start as usize + 1), |i| {
            (i.as_str(), i.as_span().start())
        });
        if block {
            strings::lower_block_string(span, text, offset, &mut self.diags)
        } else {
            strings::lower_string(span, text, offset, &mut self.diags)
        }
    }

    fn json(&mut self, p: Pair<'a, Rule>) -> JsonValue {
        let span: Span = p.as_span().into();
        match p.as_rule() {
            Rule::json_object => {
                let mut members = Vec::new();
                for m in self.children(p) {
                    let mut k = self.children(m).into_iter();
                    let (Some(key), Some(value)) = (k.next(), k.next()) else {
                        continue;
                    };
                    let key_span: Span = key.as_span().into();
                    let key = if key.as_rule() == Rule::string {
                        self.string(key).as_literal().unwrap_or_default()
                    } else {
                        key.as_str().to_string()
                    };
                    members.push(JsonMember {
                        key,
                        key_span,
                        value: self.json(value),
                    });
                }
                JsonValue::Object(members, span)
            }
            Rule::json_array => {
                let kids = self.children(p);
                JsonValue::Array(kids.into_iter().map(|k| self.json(k)).collect(), span)
            }
            Rule::string | Rule::block_string => JsonValue::Str(Box::new(self.string(p))),
            Rule::number => JsonValue::Number(p.as_str().to_string(), span),
            Rule::kw_true => JsonValue::Bool(true, span),
            Rule::kw_false => JsonValue::Bool(false, span),
            _ => JsonValue::Null(span),
        }
    }

    fn error_line(&mut self, p: Pair<'a, Rule>, in_input: bool) {
        let span: Span = p.as_span().into();
        if self.explained.iter().any(|&o| span.range().contains(&o)) {
            return;
        }
        self.diags
            .push(pest_error::explain_line(self.text, span, in_input));
    }
}

fn ident(p: Pair<'_, Rule>) -> Ident {
    Ident {
        name: p.as_str().into(),
        span: p.as_span().into(),
    }
}

/// `0..10000`: its two numbers as written.
fn range_decl(p: Pair<'_, Rule>) -> Option<RangeDecl> {
    let span: Span = p.as_span().into();
    let mut ends = p.into_inner().filter(|k| k.as_rule() == Rule::number);
    let (min, max) = (ends.next()?, ends.next()?);
    Some(RangeDecl {
        min: min.as_str().to_string(),
        max: max.as_str().to_string(),
        min_span: min.as_span().into(),
        max_span: max.as_span().into(),
        span,
    })
}

fn path(p: Pair<'_, Rule>) -> Path {
    let span: Span = p.as_span().into();
    let segments = p
        .into_inner()
        .filter(|k| matches!(k.as_rule(), Rule::ident | Rule::ident_any))
        .map(ident)
        .collect();
    Path { segments, span }
}

fn condition(p: Pair<'_, Rule>) -> Condition {
    let raw = p.as_str();
    let start = p.as_span().start() + (raw.len() - raw.trim_start().len());
    let text = raw.trim();
    Condition {
        text: text.to_string(),
        span: Span::new(start, start + text.len()),
    }
}

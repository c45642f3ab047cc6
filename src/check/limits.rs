//! Checking limits before any data: counts of elements and buttons, worst-case lengths from
//! declared `max`, and receipt totals when they are literal.

use super::{bounds, Checker};
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::*;
use crate::model::profile::LimitKey;
use crate::model::schema::FieldSpec;
use crate::span::Span;
use crate::syntax::ast::Value;

impl Checker<'_> {
    /// Counts known before any data: literal elements and buttons over the limit.
    pub(super) fn static_counts(&mut self, obj: &ObjIr) {
        for m in &obj.members {
            let Member::Items(items) = m else { continue };
            let Some(limit) = items.limit else { continue };
            let l = self.profile.limit(limit);
            let (max, cite) = (l.max, self.profile.cite(l));
            let total = items
                .nodes
                .iter()
                .filter(|n| matches!(n, Node::Obj { .. }))
                .count();
            let mut fewest = 0usize;
            for node in &items.nodes {
                let Node::Obj { span, .. } = node else {
                    continue;
                };
                fewest += 1;
                if fewest == max + 1 {
                    self.push(
                        Diagnostic::error(
                            Code::TooMany,
                            format!(
                                "too many `{}`s: {total}, Messenger allows {max}",
                                items.item
                            ),
                        )
                        .at(
                            *span,
                            format!(
                                "this is `{}` number {}, Messenger allows {max}",
                                items.item,
                                max + 1
                            ),
                        )
                        .help(format!(
                            "remove the extra `{}`s, or send them in another notification",
                            items.item
                        ))
                        .note(cite.clone()),
                    );
                }
            }
            if fewest > max {
                continue;
            }
            // The most the loops and conditions can produce, from the lists' declared `max`.
            match most(&items.nodes) {
                Ok(most) if most > max => {
                    let at = items.nodes.iter().find_map(|n| match n {
                        Node::For { list, .. } => Some(list.span),
                        _ => None,
                    });
                    self.push(
                        Diagnostic::warning(Code::TooMany, format!("there may be {most} `{}`s, Messenger allows {max}", items.item))
                            .at(at.unwrap_or(items.owner), format!("up to {most} `{}`s with the lists' declared `max`", items.item))
                            .help(format!("lower the `max` of the list in `input` so that at most {max} `{}`s can be produced", items.item))
                            .note(cite),
                    );
                }
                Ok(_) => {}
                Err(span) => {
                    self.push(
                        Diagnostic::warning(Code::NoMaxDeclared, format!("the number of `{}`s has no bound: the list is declared without `max`", items.item))
                            .at(span, format!("Messenger allows {max} `{}`s; this list can be any length", items.item))
                            .help(format!("declare the list as `list max {max} of {{ ... }}` so that check can prove it fits"))
                            .note(cite),
                    );
                }
            }
        }
    }

    /// The shortest and longest renderings of a limited field that reads variables: an error
    /// when even the shortest is too long, a warning when the longest could be (M2001), and a
    /// warning when there is no bound to compute (M4008, M4009).
    pub(super) fn worst_case(&mut self, spec: &FieldSpec, limit: LimitKey, v: &Value) {
        let bound = match v {
            Value::Path(p) => {
                let segs: Vec<(&str, Span)> = p
                    .segments
                    .iter()
                    .map(|s| (s.name.as_str(), s.span))
                    .collect();
                let Ok(r) = self.scope().resolve(&segs) else {
                    return;
                };
                let c = bounds::Contributor {
                    path: p.dotted(),
                    span: p.span,
                    max: None,
                    decl: r.decl,
                    url: false,
                };
                bounds::of_type(&r.ty, c)
            }
            Value::Str(s) if s.as_literal().is_none() => bounds::of_string(s, &self.scope()),
            _ => return,
        };
        let l = self.profile.limit(limit);
        let (max, cite) = (l.max, self.profile.cite(l));
        let field = spec.name;
        let span = v.span();
        if bound.min > max {
            self.push(
                Diagnostic::error(
                    Code::TooLong,
                    format!(
                        "`{field}` is at least {} characters long, the limit is {max}",
                        bound.min
                    ),
                )
                .at(
                    span,
                    format!("{} characters even with every variable empty", bound.min),
                )
                .help(format!(
                    "shorten the literal text of `{field}` to fit in {max} characters"
                ))
                .note(cite),
            );
            return;
        }
        match bound.max {
            Ok(most) if most > max => {
                let when: Vec<String> = bound
                    .maxed()
                    .map(|(path, m)| format!("`{path}` is {m} long"))
                    .collect();
                let when = if when.is_empty() {
                    String::new()
                } else {
                    format!(" when {}", join_and(&when))
                };
                let mut d = Diagnostic::warning(
                    Code::TooLong,
                    format!("`{field}` may reach {most} characters, the limit is {max}"),
                )
                .at(span, format!("up to {most} characters{when}"));
                let mut seen = Vec::new();
                for c in &bound.contributors {
                    if let (Some(decl), Some(m)) = (c.decl, c.max) {
                        if !seen.contains(&decl) {
                            seen.push(decl);
                            d = d.at(decl, format!("declared `max {m}`"));
                        }
                    }
                }
                let over = most - max;
                let help = if field == "customer_id" {
                    format!(
                        "lower the `max` of its variables by {over} characters in all: iAdvize holds a customer_id (extId) to {max} characters; the guide's scheme `instock-AB123-k45332j9i54` (purpose, product, session) needs 25"
                    )
                } else {
                    format!("lower the `max` of the variables by {over} characters in all, shorten the literal text, or cut the value with `| truncate(length=N)`")
                };
                self.push(d.help(help).note(cite));
            }
            Ok(_) => {}
            Err(bounds::Unbounded::NoMax(c)) => {
                let room = max.saturating_sub(bound.min).max(1);
                let name = c.path.rsplit('.').next().unwrap_or(&c.path).to_string();
                let mut d = Diagnostic::warning(
                    Code::NoMaxDeclared,
                    format!(
                        "`{field}` has no length bound: `{}` is declared without `max`",
                        c.path
                    ),
                )
                .at(
                    c.span,
                    format!("`{field}` allows {max} characters; this can be any length"),
                );
                if let Some(decl) = c.decl {
                    d = d.at(decl, "declared here without `max`");
                }
                self.push(
                    d.help(format!(
                        "declare a bound, e.g. `{name}: {} max {room}`, so that check can prove `{field}` fits; or cut it with `| truncate(length={room})`",
                        if c.url { "url" } else { "string" }
                    ))
                        .note(cite),
                );
            }
            Err(bounds::Unbounded::Opaque { span: at, what }) => {
                self.push(
                    Diagnostic::warning(Code::Unboundable, format!("missive cannot bound the length of `{field}`"))
                        .at(at, format!("{what} is outside what the length analysis understands"))
                        .help(format!(
                            "the limit ({max} characters) is still checked on every rendered value; to check it ahead, keep to paths, `if`, `for` and filters such as `truncate(length=N)`, `default`, `upper`"
                        ))
                        .note(cite),
                );
            }
        }
    }

    /// M4004 for a receipt whose summary and adjustments are all literal numbers (a payload
    /// being linted, or a template without data); with data, render checks them.
    pub(super) fn literal_totals(&mut self, payload: &ObjIr) {
        let lit = |obj: &ObjIr, key: &str| -> Option<Option<(f64, Span, String)>> {
            for m in &obj.members {
                if let Member::Field(f) = m {
                    if &*f.key == key {
                        return match &f.val {
                            Val::Lit(raw) => raw
                                .parse::<f64>()
                                .ok()
                                .map(|v| Some((v, f.span, raw.to_string()))),
                            _ => None,
                        };
                    }
                }
            }
            Some(None)
        };
        let mut summary = None;
        let mut adjustments = 0.0;
        for m in &payload.members {
            let Member::Items(items) = m else { continue };
            for node in &items.nodes {
                let Node::Obj { obj, .. } = node else { return };
                match items.key {
                    "summary" => summary = Some(obj),
                    "adjustments" => match lit(obj, "amount") {
                        Some(Some((v, _, _))) => adjustments += v,
                        _ => return,
                    },
                    _ => {}
                }
            }
        }
        let Some(summary) = summary else { return };
        let (Some(Some((subtotal, _, _))), Some(Some((total, span, written)))) =
            (lit(summary, "subtotal"), lit(summary, "total_cost"))
        else {
            return;
        };
        let (Some(shipping), Some(tax)) =
            (lit(summary, "shipping_cost"), lit(summary, "total_tax"))
        else {
            return;
        };
        let value = |v: Option<(f64, Span, String)>| v.map_or(0.0, |(v, _, _)| v);
        if let Some(d) = crate::model::receipt::totals_diagnostic(
            subtotal,
            value(shipping),
            value(tax),
            adjustments,
            total,
            &written,
            span,
        ) {
            self.push(d);
        }
    }
}

/// The most items nodes can produce, or the span of a `for` over a list without `max`.
fn most(nodes: &[Node]) -> Result<usize, Span> {
    let mut total = 0;
    for n in nodes {
        total += match n {
            Node::Obj { .. } => 1,
            Node::For {
                max: Some(m), body, ..
            } => *m as usize * most(body)?,
            Node::For {
                max: None, list, ..
            } => return Err(list.span),
            Node::If {
                branches,
                otherwise,
            } => {
                let mut best = most(otherwise)?;
                for (_, b) in branches {
                    best = best.max(most(b)?);
                }
                best
            }
        };
    }
    Ok(total)
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

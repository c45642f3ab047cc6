//! Checking the `input { }` declarations: lowered from the syntax tree to the model's input
//! types, with the names the template engine reserves refused.

use std::sync::Arc;

use crate::diagnostic::{codes, Diagnostic};
use crate::model::types::{suggest, FieldTy, NumRange, ObjTy, Ty};
use crate::syntax::ast;

pub const TYPE_NAMES: &[&str] = &["string", "number", "integer", "bool", "url", "list"];

/// Lowers declarations to an object type.
/// Names the template engine gives a meaning of its own (`{{ range }}` is a function, `loop`
/// the loop state): an input or loop variable of that name would be shadowed.
pub const ENGINE_NAMES: &[&str] = &[
    "range",
    "dict",
    "namespace",
    "debug",
    "loop",
    "self",
    "super",
    "caller",
    "varargs",
    "kwargs",
    "none",
    "true",
    "false",
    "True",
    "False",
    "None",
];

/// The diagnostic for a variable named like an engine name (M1014).
pub fn engine_name(name: &ast::Ident) -> Option<Diagnostic> {
    ENGINE_NAMES.contains(&name.name.as_str()).then(|| {
        codes::m1014_reserved_name(format!(
            "`{}` is a name the template engine reserves",
            name.name
        ))
        .at(
            name.span,
            "inside `{{ }}` this name means minijinja's own, not your data",
        )
        .help(format!("rename it, e.g. `{}_value`", name.name))
    })
}

/// Lowers the top-level declarations of `input`.
pub fn lower_input(decls: &[ast::Decl], diags: &mut Vec<Diagnostic>) -> ObjTy {
    for d in decls {
        diags.extend(engine_name(&d.name));
    }
    lower_decls(decls, diags)
}

pub fn lower_decls(decls: &[ast::Decl], diags: &mut Vec<Diagnostic>) -> ObjTy {
    let mut obj = ObjTy::default();
    for d in decls {
        if let Some(prev) = obj.get(&d.name.name) {
            diags.push(
                codes::m1007_duplicate_declaration(format!("`{}` is declared twice", d.name.name))
                    .at(d.name.span, "declared again here")
                    .at(prev.decl, "first declared here")
                    .help("remove one of the declarations, or rename one"),
            );
            continue;
        }
        let Some(ty) = lower_type(&d.ty, diags) else {
            continue;
        };
        obj.fields.push(FieldTy {
            name: d.name.name.to_string(),
            optional: d.optional,
            ty,
            decl: d.span,
        });
    }
    obj
}

fn lower_type(t: &ast::TypeExpr, diags: &mut Vec<Diagnostic>) -> Option<Ty> {
    match t {
        ast::TypeExpr::Scalar { name, max, range } => {
            let ty = match name.name.as_str() {
                "string" => Ty::String {
                    max: max.map(|m| m.value),
                },
                "url" => Ty::Url {
                    max: max.map(|m| m.value),
                },
                "number" => Ty::Number {
                    range: range.as_ref().and_then(|r| lower_range(r, false, diags)),
                },
                "integer" => Ty::Integer {
                    range: range.as_ref().and_then(|r| lower_range(r, true, diags)),
                },
                "bool" => Ty::Bool,
                other => {
                    let mut d = codes::m1009_unknown_type(format!("unknown type `{other}`"))
                        .at(name.span, "not a type missive knows");
                    d = match suggest(other, TYPE_NAMES.iter().copied()) {
                        Some(s) => d.help(format!("a type with a similar name exists: `{s}`")).fix(name.span, s),
                        None => d.help("the types are `string`, `number`, `integer`, `bool`, `url`, `{ ... }` and `list of T`"),
                    };
                    diags.push(d);
                    return Some(Ty::Unknown);
                }
            };
            if let (Some(m), false) = (max, matches!(ty, Ty::String { .. } | Ty::Url { .. })) {
                diags.push(
                    codes::m1009_unknown_type(format!("`max` does not apply to `{}`", name.name))
                        .at(
                            m.span,
                            "`max` bounds the characters of a string or the items of a list",
                        )
                        .help(if ty.is_numeric() {
                            format!("a number's printed length is bounded by its range: declare the least and the greatest value, e.g. `{} 0..10000`", name.name)
                        } else {
                            "remove `max`, or declare the value as `string max N`".into()
                        }),
                );
            }
            if let (Some(r), false) = (range, ty.is_numeric()) {
                diags.push(
                    codes::m1009_unknown_type(format!("a range does not apply to `{}`", name.name))
                        .at(
                            r.span,
                            "a range bounds the value of a `number` or an `integer`",
                        )
                        .help(if matches!(ty, Ty::String { .. } | Ty::Url { .. }) {
                            format!("bound the characters instead: `{} max N`", name.name)
                        } else {
                            "remove the range".to_string()
                        }),
                );
            }
            Some(ty)
        }
        ast::TypeExpr::List { max, item, .. } => Some(Ty::List {
            max: max.map(|m| m.value),
            item: Box::new(lower_type(item, diags)?),
        }),
        ast::TypeExpr::Object { decls, .. } => {
            Some(Ty::Object(Arc::new(lower_decls(decls, diags))))
        }
    }
}

/// `0..10000` on a `number` or `integer` (M1040 when it holds no value or cannot be data).
fn lower_range(r: &ast::RangeDecl, integer: bool, diags: &mut Vec<Diagnostic>) -> Option<NumRange> {
    for (raw, span) in [(&r.min, r.min_span), (&r.max, r.max_span)] {
        if let Some(problem) = crate::json::number_out_of_range(raw) {
            diags.push(
                codes::m1040_invalid_range(format!(
                    "`{raw}` cannot end a range: a number is 0 or between 10⁻⁶ and 10²¹ in size"
                ))
                .at(span, problem.label())
                .help("give both ends of the range in that span, e.g. `0..10000`"),
            );
            return None;
        }
        if integer && raw.contains(['.', 'e', 'E']) {
            diags.push(
                codes::m1040_invalid_range(format!(
                    "the range of an `integer` has a fraction: `{raw}`"
                ))
                .at(span, "not a whole number")
                .help(format!(
                    "write whole numbers, e.g. `integer {}..{}`",
                    whole(&r.min),
                    whole(&r.max)
                )),
            );
            return None;
        }
    }
    let (min, max) = (r.min.parse::<f64>().ok()?, r.max.parse::<f64>().ok()?);
    if min > max {
        diags.push(
            codes::m1040_invalid_range(format!(
                "the range `{}..{}` holds no value: its least end is greater than its greatest",
                r.min, r.max
            ))
            .at(r.span, "empty range")
            .help(format!(
                "write the least value first: `{}..{}`",
                r.max, r.min
            ))
            .fix(r.span, format!("{}..{}", r.max, r.min)),
        );
        return None;
    }
    Some(NumRange {
        min,
        max,
        min_raw: r.min.clone(),
        max_raw: r.max.clone(),
    })
}

/// A number as written, without its fraction (`9.5` -> `9`).
fn whole(raw: &str) -> String {
    raw.parse::<f64>()
        .map(|v| format!("{}", v.trunc()))
        .unwrap_or_else(|_| raw.to_string())
}

//! Checking limits before any data: counts of elements and buttons, worst-case lengths from
//! declared `max`, and receipt totals when they are literal.

use super::{bounds, Checker};
use crate::diagnostic::{codes, Diagnostic, Severity};
use crate::ir::walk::{self, NoData, Sink};
use crate::ir::*;
use crate::model::profile::LimitKey;
use crate::model::profile::Profile;
use crate::model::schema::FieldSpec;
use crate::model::types::{Scope, Ty};
use crate::span::Span;
use crate::syntax::ast::Value;

impl Checker<'_> {
    /// Counts known before any data: literal elements and buttons over the limit, and the most
    /// that the loops and conditions can produce from the lists' declared `max`. The object's
    /// lists are walked without data; the items' own lists are counted when they are built.
    pub(super) fn static_counts(&mut self, obj: &ObjIr) {
        let mut counts = Counts {
            profile: self.profile,
            depth: 0,
            lists: Vec::new(),
            diags: Vec::new(),
        };
        walk::object(&mut NoData::over(self.text), &mut counts, obj);
        for d in counts.diags {
            self.push(d);
        }
    }

    /// The shortest and longest renderings of a limited field that reads variables: an error
    /// when even the shortest is too long, a warning when the longest could be (M2001), and a
    /// warning when there is no bound to compute (M4008, M4009).
    pub(super) fn worst_case(&mut self, spec: &FieldSpec, limit: LimitKey, v: &Value) {
        let bound = match v {
            Value::Path(p) => {
                let segs: Vec<(&str, Span)> = p.segs();
                let Ok(r) = self.scope().resolve(&segs) else {
                    return;
                };
                let c = bounds::Contributor {
                    path: p.dotted(),
                    span: p.span,
                    max: None,
                    decl: r.decl,
                    url: false,
                    unranged: None,
                    prints: None,
                };
                bounds::of_type(&r.ty, c)
            }
            Value::Str(s) if s.as_literal().is_none() => {
                bounds::of_string_in(s, &self.scope(), self.formats())
            }
            _ => return,
        };
        let l = self.profile.limit(limit);
        let (max, cite) = (l.max, self.profile.cite(l));
        let field = spec.name;
        let span = v.span();
        if bound.min > max {
            self.push(
                codes::m2001_too_long(
                    Severity::Error,
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
                    "remove at least {} characters from the literal text of `{field}`: with every variable empty it is {} characters, the limit is {max}",
                    bound.min - max,
                    bound.min
                ))
                .note(cite),
            );
            return;
        }
        match bound.max {
            Ok(most) if most > max => {
                let mut when: Vec<String> = bound
                    .maxed()
                    .map(|(path, m)| format!("`{path}` is {m} long"))
                    .collect();
                for c in &bound.contributors {
                    if let Some(text) = &c.prints {
                        let also = format!("`{}` prints `{text}`", c.path);
                        if !when.contains(&also) {
                            when.push(also);
                        }
                    }
                }
                let when = if when.is_empty() {
                    String::new()
                } else {
                    format!(" when {}", join_and(&when))
                };
                let mut d = codes::m2001_too_long(
                    Severity::Warning,
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
                    // A formatted number whose range bounds it: the range is what to narrow.
                    if let (Some(decl), Some(_), None) = (c.decl, &c.prints, c.unranged) {
                        if !seen.contains(&decl) {
                            seen.push(decl);
                            d = d.at(decl, "its range bounds what it prints");
                        }
                    }
                }
                let over = most - max;
                // A number without a range is the likely cause: say what was assumed, and that
                // a range bounds it (a number has no `max`).
                let unranged: Vec<&bounds::Contributor> = bound
                    .contributors
                    .iter()
                    .filter(|c| c.unranged.is_some())
                    .collect();
                if !unranged.is_empty() {
                    for c in &unranged {
                        if let Some(decl) = c.decl {
                            d = d.at(decl, "declared without a range");
                        }
                    }
                    // Each input once, with what it is assumed to print and a range for it.
                    let mut each: Vec<(&str, bounds::Unranged)> = Vec::new();
                    for c in &unranged {
                        let u = c.unranged.expect("filtered");
                        match each.iter_mut().find(|(p, _)| *p == c.path.as_str()) {
                            Some((_, seen)) => seen.chars = seen.chars.max(u.chars),
                            None => each.push((&c.path, u)),
                        }
                    }
                    let kind = |u: bounds::Unranged| if u.integer { "integer" } else { "number" };
                    let range = |path: &str, u: bounds::Unranged| {
                        let name = path.rsplit('.').next().unwrap_or(path);
                        let example = if u.integer { "1..99" } else { "0..10000" };
                        format!("`{name}: {} {example}`", kind(u))
                    };
                    let plain = self
                        .text
                        .get(span.range())
                        .is_some_and(|t| !t.contains("| money") && !t.contains("| number"));
                    // Both filters print in the template's locale: without one declared, the
                    // edit says to declare it too, so that it passes as written.
                    let format = match (plain && each.iter().any(|(_, u)| !u.integer), crate::intl::AVAILABLE, &self.format_locale) {
                        (true, true, Some(_)) => ", and print it with `| number(2)` (two fraction digits in the template's locale; `round(2)` prints `19.5`) or `| money('EUR')`",
                        (true, true, None) => ", and print it with `| number(2)` (two fraction digits; `round(2)` prints `19.5`) or `| money('EUR')`, which print in the readers' locale: declare the locale under `notification`, e.g. `locale \"en-US\"`",
                        _ => "",
                    };
                    let help = match each.as_slice() {
                        [(path, u)] => format!(
                            "{} without a range is assumed to print up to {} characters: declare the least and greatest value of `{path}` in `input` (e.g. {}){format}",
                            if u.integer { "an integer" } else { "a number" },
                            u.chars,
                            range(path, *u)
                        ),
                        _ => format!(
                            "numbers without a range are assumed to print as long as the number rule allows here ({}): declare the least and greatest value of each in `input` (e.g. {}){format}",
                            each.iter()
                                .map(|(p, u)| format!("`{p}` up to {} characters", u.chars))
                                .collect::<Vec<_>>()
                                .join(", "),
                            each.iter()
                                .map(|(p, u)| range(p, *u))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    };
                    self.push(d.help(help).note(cite));
                    return;
                }
                // What can be lowered: the declared `max`es (the variables the bound counts), and
                // the `length` of a `truncate` in the value (what it cuts is bounded by it alone).
                let has_max = bound.contributors.iter().any(|c| c.max.is_some());
                let cut = self
                    .text
                    .get(span.range())
                    .is_some_and(|t| t.contains("truncate("));
                let lower = |over: usize| {
                    let what = match (has_max, cut) {
                        (true, true) => {
                            "the `max` of the variables or the `length` of the `truncate`"
                        }
                        (false, true) => "the `length` of the `truncate`",
                        _ => "the `max` of the variables",
                    };
                    format!("lower {what} by {over} characters in all, or shorten the literal text")
                };
                let help = if field == "customer_id" {
                    format!(
                        "lower the `max` of its variables by {over} characters in all: iAdvize holds a customer_id (extId) to {max} characters; the guide's scheme `instock-AB123-k45332j9i54` (purpose, product, session) needs 25"
                    )
                } else {
                    let cut_hint = if cut {
                        String::new()
                    } else {
                        ", or cut the value with `| truncate(length=N, leeway=0)`".to_string()
                    };
                    let ranged: Vec<String> = bound
                        .contributors
                        .iter()
                        .filter(|c| c.prints.is_some() && c.unranged.is_none())
                        .map(|c| format!("`{}`", c.path))
                        .collect();
                    let narrow = if ranged.is_empty() {
                        String::new()
                    } else {
                        format!(", or narrow the range of {}", join_and(&ranged))
                    };
                    format!("{}{narrow}{cut_hint}", lower(over))
                };
                // A `truncate(length=N)` over the limit: its leeway and `...` make it longer.
                let sites = match v {
                    Value::Str(s) => bounds::default_leeways(s),
                    _ => Vec::new(),
                };
                if sites.is_empty() {
                    self.push(d.help(help).note(cite));
                    return;
                }
                // The bound once every such `truncate` has `leeway=0`: the same analysis.
                let fixed = match v {
                    Value::Str(s) => bounds::of_string_in(
                        &bounds::without_leeway(s),
                        &self.scope(),
                        self.formats(),
                    )
                    .max
                    .ok(),
                    _ => None,
                };
                let fits = fixed.is_some_and(|m| m <= max);
                let lead = format!(
                    "`truncate(length=N)` keeps a value up to N + {leeway} characters long whole (minijinja's leeway) and cuts a longer one to N, `...` included, so it can make the value {leeway} characters longer than N",
                    leeway = bounds::TRUNCATE_LEEWAY
                );
                for site in &sites {
                    d = d.at(
                        site.span,
                        format!(
                            "lets up to {} characters through",
                            site.length + bounds::TRUNCATE_LEEWAY
                        ),
                    );
                    if fits {
                        if let Some((at, text)) = site.insert {
                            d = d.fix(at, text);
                        }
                    }
                }
                let help = if fits {
                    format!("{lead}: add `leeway=0` so that it cuts at N, and `{field}` fits")
                } else {
                    let over = fixed.map_or(over, |m| m.saturating_sub(max));
                    format!(
                        "{lead}; add `leeway=0` so that it cuts at N; then {}",
                        lower(over)
                    )
                };
                self.push(d.help(help).note(cite));
            }
            Ok(_) => {}
            Err(bounds::Unbounded::NoMax(c)) => {
                let room = self
                    .room_among_unbounded(v, max, &c)
                    .unwrap_or_else(|| max.saturating_sub(bound.min).max(1));
                let name = c.path.rsplit('.').next().unwrap_or(&c.path).to_string();
                let mut d = codes::m4008_no_max_declared(format!(
                    "`{field}` has no length bound: `{}` is declared without `max`",
                    c.path
                ))
                .at(
                    c.span,
                    format!("`{field}` allows {max} characters; this can be any length"),
                );
                if let Some(decl) = c.decl {
                    d = d.at(decl, "declared here without `max`");
                }
                self.push(
                    d.help(format!(
                        "declare a bound, e.g. `{name}: {} max {room}`, so that check can prove `{field}` fits; or cut it with `| truncate(length={room}, leeway=0)`",
                        if c.url { "url" } else { "string" }
                    ))
                        .note(cite),
                );
            }
            Err(bounds::Unbounded::Opaque { span: at, what }) => {
                self.push(
                    codes::m4009_unboundable(format!("missive cannot bound the length of `{field}`"))
                        .at(at, format!("{what} is outside what the length analysis understands"))
                        .help(format!(
                            "the limit ({max} characters) is still checked on every rendered value; to check it ahead, keep to paths, `if`, `for` and filters such as `truncate(length=N, leeway=0)`, `default`, `upper`"
                        ))
                        .note(cite),
                );
            }
        }
    }

    /// The `max` to propose for a variable declared without one, so that the field fits once
    /// every such variable of the value has it: the room the rest of the value leaves, shared
    /// among them (`"{{ brand }} - {{ product }}"` in 80 characters: 38 each, not 77 for one
    /// then 77 for the other). `None` when the value holds something else the analysis cannot
    /// bound once these have a `max` (the proposal is then the room for this one alone).
    fn room_among_unbounded(
        &self,
        v: &Value,
        max: usize,
        first: &bounds::Contributor,
    ) -> Option<usize> {
        let Value::Str(s) = v else { return None };
        let mut root = Ty::Object(self.root.clone());
        let mut locals = self.locals.clone();
        let mut zeroed: Vec<String> = Vec::new();
        let mut c = first.clone();
        for _ in 0..16 {
            let segments: Vec<&str> = c.path.split('.').collect();
            let done = match locals.iter().rposition(|(n, _, _)| n == segments[0]) {
                Some(i) => zero_max(&mut locals[i].1, &segments[1..]),
                None => zero_max(&mut root, &segments),
            };
            if !done {
                return None;
            }
            zeroed.push(c.path.clone());
            let Ty::Object(r) = &root else { return None };
            let scope = Scope {
                root: r,
                locals: locals.clone(),
            };
            let bound = bounds::of_string_in(s, &scope, self.formats());
            match bound.max {
                Ok(rest) => {
                    // Each use of a variable takes its share (`{{ brand }} - {{ brand }}`).
                    let uses = bound
                        .contributors
                        .iter()
                        .filter(|c| zeroed.contains(&c.path))
                        .count()
                        .max(zeroed.len());
                    return Some((max.saturating_sub(rest) / uses).max(1));
                }
                Err(bounds::Unbounded::NoMax(next)) => c = next,
                Err(_) => return None,
            }
        }
        None
    }

    /// M4004 for a receipt whose summary and adjustments are all literal numbers (a payload
    /// being linted, or a template without data); with data, render checks them. The payload
    /// is walked without data; a loop or a condition among its lists means the totals depend
    /// on data.
    pub(super) fn literal_totals(&mut self, payload: &ObjIr) {
        let mut totals = LiteralTotals::default();
        walk::object(&mut NoData::over(self.text), &mut totals, payload);
        if totals.gave_up {
            return;
        }
        let Some(summary) = totals.summary else {
            return;
        };
        let (Some(Some((subtotal, _, _))), Some(Some((total, span, written)))) =
            (summary.get("subtotal"), summary.get("total_cost"))
        else {
            return;
        };
        let (Some(shipping), Some(tax)) = (summary.get("shipping_cost"), summary.get("total_tax"))
        else {
            return;
        };
        let value = |v: Option<(f64, Span, String)>| v.map_or(0.0, |(v, _, _)| v);
        if let Some(d) = crate::model::receipt::totals_diagnostic(
            subtotal,
            value(shipping),
            value(tax),
            totals.adjustments,
            total,
            &written,
            span,
        ) {
            self.push(d);
        }
    }
}

/// The limit counter: for each list with a count limit among an object's members, the items
/// written outright and the most that its loops and conditions can produce.
struct Counts<'p> {
    profile: &'p Profile,
    /// Objects entered: only the first one's lists are counted here.
    depth: usize,
    lists: Vec<Counted>,
    diags: Vec<Diagnostic>,
}

/// One list being counted.
struct Counted {
    /// Loops and conditions around the current node, within this list.
    nesting: usize,
    /// The items written outright (outside any loop or condition).
    outright: Vec<Span>,
    /// The first loop written outright, where a "there may be" warning points.
    first_loop: Option<Span>,
    /// The most items, per open sequence: this list's, then each loop body's or branch's.
    most: Vec<Most>,
}

/// The most items a sequence of nodes produces: a number, or the span of a loop over a list
/// without `max` (the first one, in the order the count meets them).
enum Most {
    /// A sequence: the list's nodes, or a loop's body.
    Seq(Result<usize, Span>),
    /// A loop's body; the loop has this `max` (`Err`: none, at this span).
    Loop(Result<usize, Span>, Result<u32, Span>),
    /// An `if`: the branches done so far, and the one being counted (`None` before the first).
    If(Vec<Result<usize, Span>>, Option<Result<usize, Span>>),
}

/// Adds a sequence's next part.
fn plus(sum: Result<usize, Span>, part: Result<usize, Span>) -> Result<usize, Span> {
    let sum = sum?;
    Ok(sum + part?)
}

impl Most {
    fn add(&mut self, part: Result<usize, Span>) {
        match self {
            Most::Seq(sum) | Most::Loop(sum, _) | Most::If(_, Some(sum)) => *sum = plus(*sum, part),
            Most::If(_, None) => {}
        }
    }

    /// What a finished loop or `if` produces.
    fn total(self) -> Result<usize, Span> {
        match self {
            Most::Seq(sum) => sum,
            Most::Loop(body, max) => Ok(max? as usize * body?),
            // The `else` is counted first, as a bound over branches reads best.
            Most::If(mut done, current) => {
                done.extend(current);
                let otherwise = done.pop().unwrap_or(Ok(0));
                let mut best = otherwise?;
                for b in done {
                    best = best.max(b?);
                }
                Ok(best)
            }
        }
    }
}

impl Counts<'_> {
    fn counting(&mut self) -> Option<&mut Counted> {
        self.lists.last_mut()
    }

    fn close(&mut self) {
        if let Some(c) = self.counting() {
            c.nesting -= 1;
            if let Some(done) = c.most.pop() {
                let part = done.total();
                if let Some(outer) = c.most.last_mut() {
                    outer.add(part);
                }
            }
        }
    }

    /// The diagnostics for a counted list (M2002, M4008).
    fn judge(&mut self, items: &Items, c: Counted) {
        let Some(limit) = items.limit else { return };
        let l = self.profile.limit(limit);
        let (max, cite) = (l.max, self.profile.cite(l));
        let total = c.outright.len();
        if let Some(span) = c.outright.get(max) {
            self.diags.push(
                codes::m2002_too_many(
                    Severity::Error,
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
                .note(cite),
            );
            return;
        }
        let most = c.most.into_iter().next().map_or(Ok(0), Most::total);
        match most {
            Ok(most) if most > max => {
                self.diags.push(
                    codes::m2002_too_many(Severity::Warning, format!("there may be {most} `{}`s, Messenger allows {max}", items.item))
                        .at(c.first_loop.unwrap_or(items.owner), format!("up to {most} `{}`s with the lists' declared `max`", items.item))
                        .help(format!("lower the `max` of the list in `input` so that at most {max} `{}`s can be produced", items.item))
                        .note(cite),
                );
            }
            Ok(_) => {}
            Err(span) => {
                self.diags.push(
                    codes::m4008_no_max_declared(format!("the number of `{}`s has no bound: the list is declared without `max`", items.item))
                        .at(span, format!("Messenger allows {max} `{}`s; this list can be any length", items.item))
                        .help(format!("declare the list as `list max {max} of {{ ... }}` so that check can prove it fits"))
                        .note(cite),
                );
            }
        }
    }
}

impl<'t> Sink<'t, NoData<'t>> for Counts<'_> {
    type Mark = ();

    /// Only the counted object's lists: the items' own objects are counted when built.
    fn enter_object(&mut self, _: &mut NoData<'t>, _: &'t ObjIr) -> bool {
        if self.depth > 0 {
            return false;
        }
        self.depth += 1;
        true
    }

    fn leave_object(&mut self, _: &mut NoData<'t>, _: &'t ObjIr) {
        self.depth -= 1;
    }

    fn enter_items(&mut self, _: &mut NoData<'t>, _: &'t Items) {
        self.lists.push(Counted {
            nesting: 0,
            outright: Vec::new(),
            first_loop: None,
            most: vec![Most::Seq(Ok(0))],
        });
    }

    fn leave_items(&mut self, _: &mut NoData<'t>, items: &'t Items, _: usize, _: bool) {
        if let Some(c) = self.lists.pop() {
            self.judge(items, c);
        }
    }

    fn enter_item(&mut self, _: &mut NoData<'t>, _: &'t Items, span: Span, _: bool) {
        if let Some(c) = self.counting() {
            if c.nesting == 0 {
                c.outright.push(span);
            }
            if let Some(most) = c.most.last_mut() {
                most.add(Ok(1));
            }
        }
    }

    fn enter_for(&mut self, _: &mut NoData<'t>, list: &'t PathIr, max: Option<u32>, _: bool) {
        if let Some(c) = self.counting() {
            if c.nesting == 0 && c.first_loop.is_none() {
                c.first_loop = Some(list.span);
            }
            c.nesting += 1;
            c.most.push(Most::Loop(Ok(0), max.ok_or(list.span)));
        }
    }

    fn leave_for(&mut self, _: &mut NoData<'t>, _: &'t PathIr, _: bool) {
        self.close();
    }

    fn enter_if(&mut self, _: &mut NoData<'t>) {
        if let Some(c) = self.counting() {
            c.nesting += 1;
            c.most.push(Most::If(Vec::new(), None));
        }
    }

    fn branch(&mut self, _: &mut NoData<'t>) {
        if let Some(Most::If(done, current)) = self.counting().and_then(|c| c.most.last_mut()) {
            done.extend(current.take());
            *current = Some(Ok(0));
        }
    }

    fn leave_if(&mut self, _: &mut NoData<'t>) {
        self.close();
    }
}

/// A receipt's literal numbers, as the payload's lists write them.
#[derive(Default)]
struct LiteralTotals {
    /// Objects entered: the payload is 1, its summary and adjustments 2.
    depth: usize,
    /// The key of the payload's list being walked (empty outside its lists).
    list: &'static str,
    /// The summary's number fields, by key: `None` when not a literal number.
    summary: Option<Numbers>,
    /// The adjustment being walked.
    adjustment: Option<Numbers>,
    adjustments: crate::model::receipt::Adjustments,
    /// A loop, a condition or a value that is not a literal number: the totals depend on data.
    gave_up: bool,
}

/// The first field of each key in an object: its literal number, or `None`.
type Numbers = Vec<(Box<str>, Option<(f64, Span, String)>)>;

trait Get {
    /// `Some(None)` when absent, `None` when not a literal number.
    fn get(&self, key: &str) -> Option<Option<(f64, Span, String)>>;
}

impl Get for Numbers {
    fn get(&self, key: &str) -> Option<Option<(f64, Span, String)>> {
        match self.iter().find(|(k, _)| &**k == key) {
            Some((_, v)) => v.clone().map(Some),
            None => Some(None),
        }
    }
}

impl<'t> Sink<'t, NoData<'t>> for LiteralTotals {
    type Mark = ();

    fn enter_object(&mut self, _: &mut NoData<'t>, _: &'t ObjIr) -> bool {
        if self.depth == 2 {
            return false;
        }
        self.depth += 1;
        if self.depth == 2 {
            match self.list {
                "summary" => self.summary = Some(Vec::new()),
                "adjustments" => self.adjustment = Some(Vec::new()),
                _ => {}
            }
        }
        true
    }

    fn leave_object(&mut self, _: &mut NoData<'t>, _: &'t ObjIr) {
        if self.depth == 2 {
            if let Some(adjustment) = self.adjustment.take() {
                match adjustment.get("amount") {
                    Some(Some((v, _, _))) => self.adjustments.add(v),
                    _ => self.gave_up = true,
                }
            }
        }
        self.depth -= 1;
    }

    fn field(&mut self, flow: &mut NoData<'t>, f: &'t FieldIr) {
        if self.depth != 2 {
            return;
        }
        let numbers = match self.list {
            "summary" => self.summary.as_mut(),
            "adjustments" => self.adjustment.as_mut(),
            _ => None,
        };
        let Some(numbers) = numbers else { return };
        if numbers.iter().any(|(k, _)| **k == *f.key()) {
            return;
        }
        let number = f.val.literal(flow.source()).and_then(|raw| {
            raw.parse::<f64>()
                .ok()
                .map(|v| (v, f.span, raw.to_string()))
        });
        numbers.push((f.key().into(), number));
    }

    fn enter_items(&mut self, _: &mut NoData<'t>, items: &'t Items) {
        if self.depth == 1 {
            self.list = items.key;
        }
    }

    fn leave_items(&mut self, _: &mut NoData<'t>, _: &'t Items, _: usize, _: bool) {
        if self.depth == 1 {
            self.list = "";
        }
    }

    fn enter_item(&mut self, _: &mut NoData<'t>, _: &'t Items, _: Span, _: bool) {}

    fn enter_for(&mut self, _: &mut NoData<'t>, _: &'t PathIr, _: Option<u32>, _: bool) {
        self.gave_up |= self.depth == 1;
    }

    fn enter_if(&mut self, _: &mut NoData<'t>) {
        self.gave_up |= self.depth == 1;
    }
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Declares the text or URL input at `path` (below `ty`) with `max 0`, for
/// [`Checker::room_among_unbounded`]; false when the path is not such an input.
fn zero_max(ty: &mut Ty, path: &[&str]) -> bool {
    match (ty, path) {
        (Ty::String { max } | Ty::Url { max }, []) => {
            *max = Some(0);
            true
        }
        (Ty::Object(obj), [first, rest @ ..]) => std::sync::Arc::make_mut(obj)
            .fields
            .iter_mut()
            .find(|f| f.name == *first)
            .is_some_and(|f| zero_max(&mut f.ty, rest)),
        _ => false,
    }
}

//! The syntax tree: every node carries its span; comments are kept beside the items.

use crate::span::Span;

/// A name or a literal text: inline up to 24 bytes (`title`, `web_url`, `View`), so that the
/// tree of a payload allocates for its long values only.
pub type Text = compact_str::CompactString;

/// A string literal's parts: inline when there is one (a text without interpolation), so that
/// such a literal allocates for its text only, if at all.
pub type Parts = smallvec::SmallVec<[StrPart; 1]>;

#[derive(Debug, Clone, Default)]
pub struct File {
    pub items: Vec<Item>,
    pub comments: Vec<Comment>,
}

#[derive(Debug, Clone)]
pub struct Comment {
    pub span: Span,
    pub text: String,
}

#[derive(Debug, Clone)]
pub enum Item {
    /// `name: value`
    Field(Field),
    /// `name value...`: `text "..."`, `notification name "description"`
    Command(Command),
    /// `kind [label] { ... }`: `element { ... }`, `button web_url { ... }`
    Block(Block),
    For(For),
    If(If),
    Input(Input),
    Extra(Extra),
    /// A line that did not parse; its diagnostic is already reported.
    Error(Span),
    /// Items not built yet: a JSON payload's list of elements, each read from its JSON text
    /// when the check comes to it, so that a payload's elements are never all held as syntax
    /// at once. Only the JSON import's check makes them; a parsed template has none.
    Pending(Pending),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Field(f) => f.span,
            Item::Command(c) => c.span,
            Item::Block(b) => b.span,
            Item::For(f) => f.span,
            Item::If(i) => i.span,
            Item::Input(i) => i.span,
            Item::Extra(e) => e.span,
            Item::Error(s) => *s,
            Item::Pending(p) => p.span,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: Text,
    pub span: Span,
}

/// A list's items to be built when checked ([`Item::Pending`]).
#[derive(Debug, Clone)]
pub struct Pending {
    /// What the items are, as the importer that reads them names it (`"element"`).
    pub kind: &'static str,
    /// Each item's JSON value in the payload.
    pub items: Vec<Span>,
    /// The whole list.
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: Ident,
    pub value: Value,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Command {
    pub name: Ident,
    pub args: Vec<Value>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Block {
    pub kind: Ident,
    pub label: Option<Ident>,
    pub items: Vec<Item>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct For {
    pub var: Ident,
    pub iterable: Path,
    pub items: Vec<Item>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct If {
    /// `if` and each `else if`, in order.
    pub branches: Vec<Branch>,
    pub otherwise: Option<Vec<Item>>,
    /// The `else` body, braces included.
    pub otherwise_body: Option<Span>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Branch {
    pub condition: Condition,
    pub items: Vec<Item>,
    /// The body, braces included.
    pub body: Span,
}

/// A minijinja expression, as written between `if` and `{`.
#[derive(Debug, Clone)]
pub struct Condition {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Input {
    pub decls: Vec<Decl>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Decl {
    pub name: Ident,
    pub optional: bool,
    pub ty: TypeExpr,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum TypeExpr {
    /// `string`, `string max 40`, `url`, `number`, `number 0..10000`, ...
    Scalar {
        name: Ident,
        max: Option<Max>,
        range: Option<RangeDecl>,
    },
    /// `list of T`, `list max N of T`
    List {
        max: Option<Max>,
        item: Box<TypeExpr>,
        span: Span,
    },
    /// `{ name: T, ... }`
    Object { decls: Vec<Decl>, span: Span },
}

impl TypeExpr {
    pub fn span(&self) -> Span {
        match self {
            TypeExpr::Scalar { name, max, range } => {
                let end = max.map(|m| m.span).or(range.as_ref().map(|r| r.span));
                end.map_or(name.span, |e| name.span.cover(e))
            }
            TypeExpr::List { span, .. } | TypeExpr::Object { span, .. } => *span,
        }
    }
}

/// `0..10000` after `number` or `integer`: both ends as written (numbers in the grammar's form).
#[derive(Debug, Clone)]
pub struct RangeDecl {
    pub min: String,
    pub max: String,
    pub min_span: Span,
    pub max_span: Span,
    pub span: Span,
}

#[derive(Debug, Clone, Copy)]
pub struct Max {
    pub value: u32,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Extra {
    pub members: Vec<JsonMember>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct JsonMember {
    pub key: String,
    pub key_span: Span,
    pub value: JsonValue,
}

#[derive(Debug, Clone)]
pub enum JsonValue {
    Object(Vec<JsonMember>, Span),
    Array(Vec<JsonValue>, Span),
    /// Boxed: a string is larger than the other values, and an `extra` block of a payload
    /// holds numbers as often as strings.
    Str(Box<StrLit>),
    Number(String, Span),
    Bool(bool, Span),
    Null(Span),
}

#[derive(Debug, Clone)]
pub enum Value {
    Str(StrLit),
    /// A number literal, kept as written (`75.00` stays `75.00`).
    Number(String, Span),
    Bool(bool, Span),
    Null(Span),
    Path(Path),
}

impl Value {
    pub fn span(&self) -> Span {
        match self {
            Value::Str(s) => s.span,
            Value::Number(_, s) | Value::Bool(_, s) | Value::Null(s) => *s,
            Value::Path(p) => p.span,
        }
    }
}

/// A dotted path: `order.items`, `item.title`.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    pub segments: Vec<Ident>,
    pub span: Span,
}

impl Path {
    /// Its segments as the scope resolves them: (name, span).
    pub fn segs(&self) -> Vec<(&str, Span)> {
        self.segments
            .iter()
            .map(|s| (s.name.as_str(), s.span))
            .collect()
    }

    pub fn dotted(&self) -> String {
        let names: Vec<&str> = self.segments.iter().map(|s| s.name.as_str()).collect();
        names.join(".")
    }
}

/// A string literal, split into literal text and interpolations.
#[derive(Debug, Clone)]
pub struct StrLit {
    /// The whole literal, quotes included.
    pub span: Span,
    pub parts: Parts,
    /// Written as `"""..."""`.
    pub block: bool,
}

impl StrLit {
    /// The text, when the literal has no interpolation.
    pub fn as_literal(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                StrPart::Lit { text, .. } => out.push_str(text),
                StrPart::Comment { .. } => {}
                _ => return None,
            }
        }
        Some(out)
    }
}

#[derive(Debug, Clone)]
pub enum StrPart {
    /// Literal text, escapes already applied.
    Lit { text: Text, span: Span },
    /// `{{ src }}`; the span covers the braces.
    Expr { src: String, span: Span },
    /// `{% src %}`
    Stmt { src: String, span: Span },
    /// `{# ... #}`
    Comment { span: Span },
}

#[cfg(test)]
mod size_tests {
    use super::*;

    /// A payload's syntax tree holds an `Item` per field and block of every element: a larger
    /// variant, added unboxed, would grow every one of them.
    #[test]
    fn the_tree_s_nodes_stay_small() {
        use std::mem::size_of;
        assert!(size_of::<Item>() <= 104, "Item: {}", size_of::<Item>());
        assert!(size_of::<Value>() <= 64, "Value: {}", size_of::<Value>());
        assert!(size_of::<Ident>() <= 32, "Ident: {}", size_of::<Ident>());
    }
}

//! Input schemas: a compiled template's `input` declarations as a JSON Schema (draft 2020-12),
//! for backends that validate their data before rendering, or generate types from it.
//!
//! The schema accepts every data file that `check --data` accepts (it is never stricter than
//! missive): keys that `input` does not declare are allowed (missive warns, M3005), `null` is
//! allowed for optional fields and list items, and a number must print in a bounded length
//! (0, or 10⁻⁶ ≤ |x| < 10²¹). Two checks cannot be said in JSON Schema and stay missive's: an
//! `integer` written with a fraction or an exponent (`1.0`, `1e2`) and a URL that the `url`
//! crate cannot parse.

use serde_json::{json, Map, Value};

use crate::check::types::{ObjTy, Ty};
use crate::ir::Template;

/// The draft the schemas are written in.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// An http(s) URL with a host and no whitespace, as `check --data` requires of a `url` input
/// (the scheme in any case, like the `url` crate reads it).
pub const URL_PATTERN: &str = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+[^\s]*$";

/// The JSON Schema of a template's input: `$schema`, `title` (the notification's name),
/// `description` (its header's description, when it has one), then the root object.
pub fn of_template(template: &Template) -> Value {
    let mut root = object(&template.input);
    root.insert("$schema".into(), json!(DIALECT));
    root.insert("title".into(), json!(template.name));
    let description = match &template.description {
        Some(d) => format!("Input of the `{}` notification: {d}", template.name),
        None => format!("Input of the `{}` notification", template.name),
    };
    root.insert("description".into(), json!(description));
    Value::Object(root)
}

/// The schema of an object type: declared fields, required ones listed, other keys allowed.
fn object(obj: &ObjTy) -> Map<String, Value> {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for f in &obj.fields {
        properties.insert(f.name.clone(), ty(&f.ty, f.optional));
        if !f.optional {
            required.push(json!(f.name));
        }
    }
    let mut m = Map::new();
    m.insert("type".into(), json!("object"));
    m.insert("properties".into(), Value::Object(properties));
    m.insert("required".into(), Value::Array(required));
    // missive warns about undeclared keys (M3005) but renders: the schema allows them too.
    m.insert("additionalProperties".into(), json!(true));
    m
}

/// The schema of a type; `nullable` adds `null` to the accepted types (an optional field may
/// be `null`, which render treats as absent).
fn ty(t: &Ty, nullable: bool) -> Value {
    let mut m = match t {
        Ty::String { max } | Ty::Url { max } => {
            let mut m = Map::new();
            m.insert("type".into(), json!("string"));
            if let Some(max) = max {
                // JSON Schema counts code points, like missive's `max` (Unicode scalar values).
                m.insert("maxLength".into(), json!(max));
            }
            if matches!(t, Ty::Url { .. }) {
                m.insert("format".into(), json!("uri"));
                m.insert("pattern".into(), json!(URL_PATTERN));
            }
            m
        }
        Ty::Number => {
            let mut m = Map::new();
            m.insert("type".into(), json!("number"));
            // What minijinja prints in a bounded length; other numbers are refused (M3003).
            m.insert(
                "anyOf".into(),
                json!([
                    {"const": 0},
                    {"minimum": 1e-6, "exclusiveMaximum": 1e21},
                    {"maximum": -1e-6, "exclusiveMinimum": -1e21}
                ]),
            );
            m
        }
        Ty::Integer => single("integer"),
        Ty::Bool => single("boolean"),
        Ty::Object(obj) => object(obj),
        Ty::List { max, item } => {
            let mut m = Map::new();
            m.insert("type".into(), json!("array"));
            // A `null` item passes `check --data` (it renders as nothing).
            m.insert("items".into(), ty(item, true));
            if let Some(max) = max {
                m.insert("maxItems".into(), json!(max));
            }
            m
        }
        // A declaration whose type was wrong: compiling failed already; accept anything.
        Ty::Unknown => Map::new(),
    };
    if nullable {
        if let Some(Value::String(name)) = m.get("type").cloned() {
            m.insert("type".into(), json!([name, "null"]));
        }
    }
    Value::Object(m)
}

fn single(name: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".into(), json!(name));
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{compile, Options};

    fn schema(src: &str) -> Value {
        let c = compile(src, &Options::default());
        let t = c.template.unwrap_or_else(|| panic!("{:#?}", c.diagnostics));
        of_template(&t)
    }

    #[test]
    fn declared_types_become_schema_types() {
        let s = schema(
            "notification t \"A test\"\ninput {\n  name: string max 5\n  n?: integer\n  site: url\n  items: list max 2 of { ok: bool }\n}\ntext \"{{ name }}\"\n",
        );
        assert_eq!(s["$schema"], DIALECT);
        assert_eq!(s["title"], "t");
        assert_eq!(s["description"], "Input of the `t` notification: A test");
        assert_eq!(s["required"], json!(["name", "site", "items"]));
        assert_eq!(
            s["properties"]["name"],
            json!({"type": "string", "maxLength": 5})
        );
        assert_eq!(s["properties"]["n"], json!({"type": ["integer", "null"]}));
        assert_eq!(s["properties"]["site"]["format"], "uri");
        assert_eq!(s["properties"]["items"]["maxItems"], 2);
        assert_eq!(
            s["properties"]["items"]["items"]["type"],
            json!(["object", "null"])
        );
        assert_eq!(
            s["properties"]["items"]["items"]["properties"]["ok"],
            json!({"type": "boolean"})
        );
    }
}

//! Input schemas: a compiled template's `input` declarations as a JSON Schema (draft 2020-12),
//! for backends that validate their data before rendering, or generate types from it.
//!
//! The schema accepts every data file that `check --data` accepts (it is never stricter than
//! missive): keys that `input` does not declare are allowed (missive warns, M3005), `null` is
//! allowed for optional fields and list items, and a number must print in a bounded length
//! (0, or 10⁻⁶ ≤ |x| < 10²¹). Two checks cannot be said in JSON Schema and stay missive's: an
//! `integer` written with a fraction or an exponent (`1.0`, `1e2`) and a URL that the `url`
//! crate cannot parse.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Value};

use crate::ir::Template;
use crate::model::types::{ObjTy, Ty};

/// The draft the schemas are written in.
pub(crate) const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// An http(s) URL with a host and no whitespace, as `check --data` requires of a `url` input
/// (the scheme in any case, like the `url` crate reads it).
pub(crate) const URL_PATTERN: &str = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+[^\s]*$";

/// A schema whose keys keep the order they were written in: `$schema`, `title` and
/// `description` first, properties in declaration order (types generated from the schema
/// list their fields as the template declares them).
#[derive(Debug, Clone, PartialEq)]
pub struct Schema(Vec<(String, Node)>);

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Value(Value),
    Schema(Schema),
}

impl Schema {
    fn new() -> Schema {
        Schema(Vec::new())
    }

    fn set(&mut self, key: &str, node: Node) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = node,
            None => self.0.push((key.to_string(), node)),
        }
    }

    fn value(mut self, key: &str, value: Value) -> Schema {
        self.set(key, Node::Value(value));
        self
    }

    fn schema(mut self, key: &str, schema: Schema) -> Schema {
        self.set(key, Node::Schema(schema));
        self
    }

    fn get(&self, key: &str) -> Option<&Node> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The schema as a JSON value (for validators; object keys lose their order).
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The schema as indented JSON text, keys in order, with a final newline.
    pub fn to_pretty_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

impl Serialize for Schema {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            match v {
                Node::Value(v) => map.serialize_entry(k, v)?,
                Node::Schema(s) => map.serialize_entry(k, s)?,
            }
        }
        map.end()
    }
}

/// The JSON Schema of a template's input: `$schema`, `title` (the notification's name),
/// `description` (with its header's description, when it has one), then the root object.
pub fn of_template(template: &Template) -> Schema {
    let description = match &template.description {
        Some(d) => format!("Input of the `{}` notification: {d}", template.name),
        None => format!("Input of the `{}` notification", template.name),
    };
    let mut root = Schema::new()
        .value("$schema", json!(DIALECT))
        .value("title", json!(template.name))
        .value("description", json!(description));
    root.0.extend(object(&template.input).0);
    root
}

/// The schema of an object type: declared fields, required ones listed, other keys allowed.
fn object(obj: &ObjTy) -> Schema {
    let mut properties = Schema::new();
    let mut required = Vec::new();
    for f in &obj.fields {
        properties = properties.schema(&f.name, ty(&f.ty, f.optional));
        if !f.optional {
            required.push(json!(f.name));
        }
    }
    Schema::new()
        .value("type", json!("object"))
        .schema("properties", properties)
        .value("required", Value::Array(required))
        // missive warns about undeclared keys (M3005) but renders: the schema allows them too.
        .value("additionalProperties", json!(true))
}

/// The schema of a type; `nullable` adds `null` to the accepted types (an optional field may
/// be `null`, which render treats as absent).
fn ty(t: &Ty, nullable: bool) -> Schema {
    let mut m = match t {
        Ty::String { max } | Ty::Url { max } => {
            let mut m = Schema::new().value("type", json!("string"));
            if let Some(max) = max {
                // JSON Schema counts code points, like missive's `max` (Unicode scalar values).
                m = m.value("maxLength", json!(max));
            }
            if matches!(t, Ty::Url { .. }) {
                m = m
                    .value("format", json!("uri"))
                    .value("pattern", json!(URL_PATTERN));
            }
            m
        }
        // What minijinja prints in a bounded length; other numbers are refused (M3003).
        Ty::Number { range: Some(r) } | Ty::Integer { range: Some(r) } => Schema::new()
            .value(
                "type",
                json!(if matches!(t, Ty::Integer { .. }) {
                    "integer"
                } else {
                    "number"
                }),
            )
            .value("minimum", range_end(&r.min_raw))
            .value("maximum", range_end(&r.max_raw)),
        Ty::Number { .. } => Schema::new().value("type", json!("number")).value(
            "anyOf",
            json!([
                {"const": 0},
                {"minimum": 1e-6, "exclusiveMaximum": 1e21},
                {"maximum": -1e-6, "exclusiveMinimum": -1e21}
            ]),
        ),
        // The same rule as numbers (M3003): under 10²¹ in size.
        Ty::Integer { .. } => Schema::new()
            .value("type", json!("integer"))
            .value("exclusiveMinimum", json!(-1e21))
            .value("exclusiveMaximum", json!(1e21)),
        Ty::Bool => Schema::new().value("type", json!("boolean")),
        Ty::Object(obj) => object(obj),
        Ty::List { max, item } => {
            // A `null` item passes `check --data` (it renders as nothing), unless the item is an
            // object with required fields (M3002 at the `null`: the template reads them).
            let nullable =
                !matches!(&**item, Ty::Object(o) if o.fields.iter().any(|f| !f.optional));
            let mut m = Schema::new()
                .value("type", json!("array"))
                .schema("items", ty(item, nullable));
            if let Some(max) = max {
                m = m.value("maxItems", json!(max));
            }
            m
        }
        // A declaration whose type was wrong: compiling failed already; accept anything.
        Ty::Unknown => Schema::new(),
    };
    if nullable {
        if let Some(Node::Value(Value::String(name))) = m.get("type").cloned() {
            m.set("type", Node::Value(json!([name, "null"])));
        }
    }
    m
}

/// An end of a declared range as written (`10000`, `0.5`), as a JSON number.
fn range_end(raw: &str) -> serde_json::Value {
    serde_json::from_str(raw).unwrap_or_else(|_| json!(raw.parse::<f64>().unwrap_or(0.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{compile, Options};

    fn schema(src: &str) -> Schema {
        let c = compile(src, &Options::default());
        let t = c.template.unwrap_or_else(|| panic!("{:#?}", c.diagnostics));
        of_template(&t)
    }

    #[test]
    fn declared_types_become_schema_types() {
        let schema = schema(
            "notification t \"A test\"\ninput {\n  name: string max 5\n  n?: integer\n  site: url\n  items: list max 2 of { ok: bool }\n}\ntext \"{{ name }}\"\n",
        );
        let text = schema.to_pretty_json();
        let at = |key: &str| text.find(key).unwrap();
        assert!(at("$schema") < at("title") && at("title") < at("description"));
        assert!(at("\"name\"") < at("\"n\"") && at("\"n\"") < at("\"site\""));
        let s = schema.to_value();
        assert_eq!(s["$schema"], DIALECT);
        assert_eq!(s["title"], "t");
        assert_eq!(s["description"], "Input of the `t` notification: A test");
        assert_eq!(s["required"], json!(["name", "site", "items"]));
        assert_eq!(
            s["properties"]["name"],
            json!({"type": "string", "maxLength": 5})
        );
        assert_eq!(
            s["properties"]["n"],
            json!({"type": ["integer", "null"], "exclusiveMinimum": -1e21, "exclusiveMaximum": 1e21})
        );
        assert_eq!(s["properties"]["site"]["format"], "uri");
        assert_eq!(s["properties"]["items"]["maxItems"], 2);
        // Its items have a required field: `null` is no item.
        assert_eq!(s["properties"]["items"]["items"]["type"], json!("object"));
        assert_eq!(
            s["properties"]["items"]["items"]["properties"]["ok"],
            json!({"type": "boolean"})
        );
    }

    #[test]
    fn ranges_become_minimum_and_maximum() {
        let s = schema(
            "notification t\ninput {\n  price: number 0..10000\n  qty?: integer -5..99\n}\ntext \"{{ price }} {{ qty }}\"\n",
        )
        .to_value();
        assert_eq!(
            s["properties"]["price"],
            json!({"type": "number", "minimum": 0, "maximum": 10000})
        );
        assert_eq!(
            s["properties"]["qty"],
            json!({"type": ["integer", "null"], "minimum": -5, "maximum": 99})
        );
    }
}

//! Profiles: the limits that checks enforce, as data (TOML), never as constants in code. Each
//! limit carries its source and date, which every diagnostic it triggers names.

use serde::Deserialize;

const BUILTIN: &[(&str, &str)] = &[
    ("iadvize", include_str!("iadvize.toml")),
    ("messenger", include_str!("messenger.toml")),
];

/// A platform's limits and rules, as data: which envelope it sends, which message fields it
/// passes on, and every length and count limit with its source and date. Built in (`iadvize`,
/// `messenger`) or read from a TOML file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Its name: `iadvize`, `messenger`, or the one a TOML file gives.
    pub name: String,
    /// One line on what the profile is for.
    pub description: String,
    /// How a rendered message is sent: the body as is, or wrapped for the Send API.
    pub envelope: Envelope,
    /// Whether a message may have both `text` and an attachment.
    pub text_with_attachment: Rule,
    /// The message fields the platform passes on to Messenger.
    pub message_fields: MessageFields,
    /// The length and count limits.
    pub limits: Limits,
    /// Facebook's Send API endpoint, for the `send_api` envelope (`--emit request`).
    #[serde(default)]
    pub send_api: Option<SendApi>,
}

/// The Send API's endpoint: the Graph API version in its URL, with the reference it follows.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendApi {
    /// The Graph API version, e.g. `v25.0`.
    pub graph_version: String,
    /// Where the version comes from.
    pub source: String,
    /// When that source was read.
    pub date: String,
}

impl SendApi {
    /// The Send API URL: `https://graph.facebook.com/{version}/me/messages`.
    pub fn url(&self) -> String {
        format!(
            "https://graph.facebook.com/{}/me/messages",
            self.graph_version
        )
    }
}

/// The message fields the platform documents passing on to Messenger: the iAdvize API
/// documents `text` and `attachment`, Facebook's Send API more.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageFields {
    pub fields: Vec<String>,
    pub source: String,
    pub date: String,
}

impl MessageFields {
    pub fn passes_on(&self, field: &str) -> bool {
        self.fields.iter().any(|f| f == field)
    }
}

/// How a rendered message reaches Messenger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Envelope {
    /// The iAdvize API: the body is POSTed as is.
    Iadvize,
    /// Facebook's Send API: `{"recipient", "messaging_type", "message"}`.
    SendApi,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub allowed: bool,
    pub source: String,
    pub date: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    pub max: usize,
    pub source: String,
    pub date: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub text: Limit,
    pub title: Limit,
    pub subtitle: Limit,
    pub button_title: Limit,
    pub postback_payload: Limit,
    pub carousel_elements: Limit,
    pub buttons: Limit,
    pub receipt_elements: Limit,
    pub customer_id: Limit,
    pub button_template_text: Limit,
    pub button_template_buttons: Limit,
    pub quick_replies: Limit,
    pub quick_reply_title: Limit,
    pub quick_reply_payload: Limit,
    pub media_elements: Limit,
    pub media_buttons: Limit,
    pub metadata: Limit,
}

/// Names a limit in a profile, so that checks can look it up and cite it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKey {
    Text,
    Title,
    Subtitle,
    ButtonTitle,
    PostbackPayload,
    CarouselElements,
    Buttons,
    ReceiptElements,
    CustomerId,
    ButtonTemplateText,
    ButtonTemplateButtons,
    QuickReplies,
    QuickReplyTitle,
    QuickReplyPayload,
    MediaElements,
    MediaButtons,
    Metadata,
}

impl Profile {
    /// The limit named by `key`.
    pub fn limit(&self, key: LimitKey) -> &Limit {
        let l = &self.limits;
        match key {
            LimitKey::Text => &l.text,
            LimitKey::Title => &l.title,
            LimitKey::Subtitle => &l.subtitle,
            LimitKey::ButtonTitle => &l.button_title,
            LimitKey::PostbackPayload => &l.postback_payload,
            LimitKey::CarouselElements => &l.carousel_elements,
            LimitKey::Buttons => &l.buttons,
            LimitKey::ReceiptElements => &l.receipt_elements,
            LimitKey::CustomerId => &l.customer_id,
            LimitKey::ButtonTemplateText => &l.button_template_text,
            LimitKey::ButtonTemplateButtons => &l.button_template_buttons,
            LimitKey::QuickReplies => &l.quick_replies,
            LimitKey::QuickReplyTitle => &l.quick_reply_title,
            LimitKey::QuickReplyPayload => &l.quick_reply_payload,
            LimitKey::MediaElements => &l.media_elements,
            LimitKey::MediaButtons => &l.media_buttons,
            LimitKey::Metadata => &l.metadata,
        }
    }

    /// The note that a diagnostic for `limit` carries.
    pub fn cite(&self, limit: &Limit) -> String {
        format!(
            "limit from profile `{}` ({}, {})",
            self.name, limit.source, limit.date
        )
    }

    /// A built-in profile by name.
    pub fn builtin(name: &str) -> Option<Profile> {
        BUILTIN.iter().any(|(n, _)| *n == name).then(|| {
            load_text(
                name,
                BUILTIN.iter().find(|(n, _)| *n == name).expect("listed").1,
            )
            .expect("built-in profiles are valid")
        })
    }

    /// The default profile, `iadvize`.
    pub fn default_profile() -> Profile {
        Profile::builtin("iadvize").expect("built in")
    }

    /// The names of the built-in profiles, in order.
    pub fn builtin_names() -> impl Iterator<Item = &'static str> {
        BUILTIN.iter().map(|(n, _)| *n)
    }

    /// A profile named on the command line: a built-in name, or a TOML file (a value that
    /// contains `/` or ends in `.toml`).
    pub fn resolve(spec: &str) -> Result<Profile, String> {
        if spec.contains('/') || spec.ends_with(".toml") {
            let text = std::fs::read_to_string(spec)
                .map_err(|e| format!("cannot read profile file `{spec}`: {e}"))?;
            load_text(spec, &text)
        } else {
            Profile::builtin(spec).ok_or_else(|| {
                let names: Vec<String> =
                    Profile::builtin_names().map(|n| format!("`{n}`")).collect();
                format!(
                    "unknown profile `{spec}` (the built-in profiles are {})",
                    names.join(" and ")
                )
            })
        }
    }
}

/// Reads a profile's TOML, following `extends` (a built-in name) and merging tables key by key.
fn load_text(origin: &str, text: &str) -> Result<Profile, String> {
    let table = resolve_table(origin, text, 0)?;
    let p = Profile::deserialize(toml::Value::Table(table))
        .map_err(|e| format!("profile `{origin}`: {}", e.to_string().trim()))?;
    if p.envelope == Envelope::SendApi && p.send_api.is_none() {
        return Err(format!(
            "profile `{origin}`: `envelope = \"send_api\"` needs a `[send_api]` table with the Graph API `graph_version`"
        ));
    }
    Ok(p)
}

fn resolve_table(origin: &str, text: &str, depth: usize) -> Result<toml::Table, String> {
    let mut table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        format!(
            "profile `{origin}` is not valid TOML: {}",
            e.to_string().trim()
        )
    })?;
    let Some(base) = table.remove("extends") else {
        return Ok(table);
    };
    let base = base
        .as_str()
        .ok_or_else(|| {
            format!("profile `{origin}`: `extends` must be the name of a built-in profile")
        })?
        .to_string();
    if depth > 4 {
        return Err(format!(
            "profile `{origin}`: `extends` goes round in a circle"
        ));
    }
    let base_text = BUILTIN
        .iter()
        .find(|(n, _)| *n == base)
        .ok_or_else(|| {
            format!("profile `{origin}` extends `{base}`, which is not a built-in profile")
        })?
        .1;
    let mut merged = resolve_table(&base, base_text, depth + 1)?;
    merge(&mut merged, table);
    Ok(merged)
}

fn merge(into: &mut toml::Table, from: toml::Table) {
    for (k, v) in from {
        match (into.get_mut(&k), v) {
            (Some(toml::Value::Table(a)), toml::Value::Table(b)) => merge(a, b),
            (_, v) => {
                into.insert(k, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_load_and_messenger_extends_iadvize() {
        let i = Profile::default_profile();
        assert_eq!(i.limits.text.max, 320);
        assert!(i.text_with_attachment.allowed);
        let m = Profile::builtin("messenger").unwrap();
        assert_eq!(m.limits.text.max, 2000);
        assert_eq!(m.limits.title.max, 80);
        assert!(!m.text_with_attachment.allowed);
        assert_eq!(m.envelope, Envelope::SendApi);
        assert_eq!(
            m.send_api.as_ref().map(SendApi::url).as_deref(),
            Some("https://graph.facebook.com/v25.0/me/messages")
        );
        assert!(!i.message_fields.passes_on("quick_replies"));
        assert!(m.message_fields.passes_on("quick_replies"));
        assert_eq!(m.limits.quick_replies.max, 13);
    }

    #[test]
    fn a_user_profile_overrides_one_key() {
        let p = load_text("mine.toml", "extends = \"messenger\"\nname = \"mine\"\n[limits.text]\nmax = 640\nsource = \"us\"\ndate = \"2026\"\n").unwrap();
        assert_eq!(p.limits.text.max, 640);
        assert_eq!(p.limits.subtitle.max, 80);
        assert_eq!(p.name, "mine");
    }

    #[test]
    fn unknown_keys_are_refused() {
        let e = load_text(
            "x.toml",
            "extends = \"iadvize\"\n[limits.txet]\nmax = 1\nsource = \"\"\ndate = \"\"\n",
        )
        .unwrap_err();
        assert!(e.contains("txet"), "{e}");
    }
}

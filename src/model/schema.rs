//! Messenger's message model as a table: which blocks exist, their fields, what each field
//! accepts and which profile limit applies. Limits' numbers live in the profile, not here.

use crate::model::profile::LimitKey;

/// What a field accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// An absolute http(s) URL.
    Url,
    Number,
    Integer,
    Bool,
    /// A phone number in international format: `+` and digits.
    Phone,
    /// An ISO 4217 code.
    Currency,
    /// One of a few strings.
    Choice(&'static [&'static str]),
    /// Text or an integer (receipt `timestamp`: Unix seconds, a string in Facebook's examples).
    TextOrInteger,
    /// The id the Attachment Upload API returns: a string of digits, never a URL.
    AttachmentId,
    /// An absolute URL on Facebook (`facebook.com` or a subdomain): the media template's `url`.
    FacebookUrl,
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Text | Kind::Choice(_) => "text",
            Kind::Url => "a URL",
            Kind::Number => "a number",
            Kind::Integer => "an integer",
            Kind::Bool => "`true` or `false`",
            Kind::Phone => "a phone number",
            Kind::Currency => "a currency code",
            Kind::TextOrInteger => "text or an integer",
            Kind::AttachmentId => "an attachment id (digits)",
            Kind::FacebookUrl => "a Facebook URL",
        }
    }

    pub fn is_textual(self) -> bool {
        !matches!(self, Kind::Number | Kind::Integer | Kind::Bool)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    /// The field's name in templates and messages.
    pub name: &'static str,
    /// Its key in the JSON: the name, but `url` for the URL of `image URL` (whose field is
    /// named after its keyword, so that messages say `image`).
    pub key: &'static str,
    pub kind: Kind,
    pub required: bool,
    /// Messenger refuses an empty string here.
    pub nonempty: bool,
    pub limit: Option<LimitKey>,
}

const fn f(name: &'static str, kind: Kind) -> FieldSpec {
    FieldSpec {
        name,
        key: name,
        kind,
        required: false,
        nonempty: false,
        limit: None,
    }
}

const fn req(name: &'static str, kind: Kind) -> FieldSpec {
    FieldSpec {
        name,
        key: name,
        kind,
        required: true,
        nonempty: true,
        limit: None,
    }
}

const fn limited(mut spec: FieldSpec, limit: LimitKey) -> FieldSpec {
    spec.limit = Some(limit);
    spec
}

/// A block that may appear inside another.
#[derive(Debug, Clone, Copy)]
pub struct ChildSpec {
    /// The keyword in the source: `element`, `button`, `summary`.
    pub keyword: &'static str,
    /// The output key: `elements`, `buttons`, `summary`.
    pub key: &'static str,
    /// A list (`elements`) or a single object (`summary`).
    pub many: bool,
    pub required: bool,
    /// Fewest items, for lists Messenger refuses empty.
    pub min: usize,
    pub limit: Option<LimitKey>,
    pub block: BlockKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// `image { url: ..., extra { ... } }`: the block form of `image URL`.
    Image,
    /// `video { ... }`, `audio { ... }`, `file { ... }`: the other attachments by URL or id.
    Video,
    Audio,
    File,
    Carousel,
    GenericElement,
    DefaultAction,
    Button,
    Receipt,
    ReceiptElement,
    Address,
    Summary,
    Adjustment,
    /// `buttons { text: ..., button ... }`: Facebook's button template.
    ButtonTemplate,
    /// `game_metadata { player_id, context_id }` of a `game_play` button.
    GameMetadata,
    /// `media { element { ... } }`: Facebook's media template.
    Media,
    MediaElement,
    /// `quick_replies { quick_reply ... }`: the message's `quick_replies` list.
    QuickReplies,
    /// `quick_reply text { ... }`: one quick reply, chosen by its `content_type` label.
    QuickReply,
}

#[derive(Debug)]
pub struct BlockSpec {
    /// What users call it, in messages: "a carousel element".
    pub what: &'static str,
    /// Members written first, before the template's own: `"type": "web_url"`.
    pub constants: &'static [(&'static str, &'static str)],
    /// Keys the output holds besides the fields: `template_type` of a payload, `type` of a
    /// button. `extra` may not repeat them.
    pub reserved: &'static [&'static str],
    pub fields: &'static [FieldSpec],
    pub children: &'static [ChildSpec],
    /// Fields of which exactly one is given: an attachment's `url` or `attachment_id`.
    pub one_of: &'static [&'static str],
}

const WEBVIEW_HEIGHT: Kind = Kind::Choice(&["compact", "tall", "full"]);
const SHARE_BUTTON: Kind = Kind::Choice(&["hide"]);

/// The button types of the current reference (Facebook buttons reference, 2026-04).
pub const BUTTON_TYPES: &[&str] = &[
    "web_url",
    "postback",
    "phone_number",
    "account_link",
    "account_unlink",
    "game_play",
];

/// The `content_type`s of a quick reply (Facebook quick replies reference, 2026-04).
pub const QUICK_REPLY_TYPES: &[&str] = &["text", "user_phone_number", "user_email"];

/// A block whose label chooses its spec and is written as a member first: `button web_url`
/// writes `"type": "web_url"`, `quick_reply text` writes `"content_type": "text"`.
#[derive(Debug, Clone, Copy)]
pub struct Labelled {
    /// The member the label is written to.
    pub key: &'static str,
    /// The labels it takes (the language server completes them).
    #[cfg_attr(not(feature = "lsp"), allow(dead_code))]
    pub labels: &'static [&'static str],
}

/// The label rule of a block kind, for the kinds that take one.
pub fn labelled(kind: BlockKind) -> Option<Labelled> {
    match kind {
        BlockKind::Button => Some(Labelled {
            key: "type",
            labels: BUTTON_TYPES,
        }),
        BlockKind::QuickReply => Some(Labelled {
            key: "content_type",
            labels: QUICK_REPLY_TYPES,
        }),
        _ => None,
    }
}

/// The payload of an attachment by URL (`is_reusable`: Facebook may keep it and return an
/// `attachment_id`) or by the id of an uploaded file (Facebook Send API reference, 2026-04).
const MEDIA_FIELDS: &[FieldSpec] = &[
    f("url", Kind::Url),
    f("is_reusable", Kind::Bool),
    f("attachment_id", Kind::AttachmentId),
];

static IMAGE: BlockSpec = BlockSpec {
    what: "an image",
    constants: &[],
    reserved: &[],
    fields: MEDIA_FIELDS,
    children: &[],
    one_of: &["url", "attachment_id"],
};

static VIDEO: BlockSpec = BlockSpec {
    what: "a video",
    constants: &[],
    reserved: &[],
    fields: MEDIA_FIELDS,
    children: &[],
    one_of: &["url", "attachment_id"],
};

static AUDIO: BlockSpec = BlockSpec {
    what: "an audio clip",
    constants: &[],
    reserved: &[],
    fields: MEDIA_FIELDS,
    children: &[],
    one_of: &["url", "attachment_id"],
};

static FILE: BlockSpec = BlockSpec {
    what: "a file",
    constants: &[],
    reserved: &[],
    fields: MEDIA_FIELDS,
    children: &[],
    one_of: &["url", "attachment_id"],
};

static CAROUSEL: BlockSpec = BlockSpec {
    what: "a carousel",
    constants: &[],
    reserved: &["template_type"],
    fields: &[
        f("sharable", Kind::Bool),
        f(
            "image_aspect_ratio",
            Kind::Choice(&["horizontal", "square"]),
        ),
    ],
    children: &[ChildSpec {
        keyword: "element",
        key: "elements",
        many: true,
        required: true,
        min: 1,
        limit: Some(LimitKey::CarouselElements),
        block: BlockKind::GenericElement,
    }],
    one_of: &[],
};

static GENERIC_ELEMENT: BlockSpec = BlockSpec {
    what: "a carousel element",
    constants: &[],
    reserved: &[],
    fields: &[
        limited(req("title", Kind::Text), LimitKey::Title),
        limited(f("subtitle", Kind::Text), LimitKey::Subtitle),
        f("image_url", Kind::Url),
    ],
    children: &[
        ChildSpec {
            keyword: "default_action",
            key: "default_action",
            many: false,
            required: false,
            min: 0,
            limit: None,
            block: BlockKind::DefaultAction,
        },
        ChildSpec {
            keyword: "button",
            key: "buttons",
            many: true,
            required: false,
            min: 0,
            limit: Some(LimitKey::Buttons),
            block: BlockKind::Button,
        },
    ],
    one_of: &[],
};

static DEFAULT_ACTION: BlockSpec = BlockSpec {
    what: "a default action",
    constants: &[("type", "web_url")],
    reserved: &[],
    fields: &[
        req("url", Kind::Url),
        f("webview_height_ratio", WEBVIEW_HEIGHT),
        f("messenger_extensions", Kind::Bool),
        f("fallback_url", Kind::Url),
        f("webview_share_button", SHARE_BUTTON),
    ],
    children: &[],
    one_of: &[],
};

static WEB_URL_BUTTON: BlockSpec = BlockSpec {
    what: "a `web_url` button",
    constants: &[],
    reserved: &["type"],
    fields: &[
        limited(req("title", Kind::Text), LimitKey::ButtonTitle),
        req("url", Kind::Url),
        f("webview_height_ratio", WEBVIEW_HEIGHT),
        f("messenger_extensions", Kind::Bool),
        f("fallback_url", Kind::Url),
        f("webview_share_button", SHARE_BUTTON),
    ],
    children: &[],
    one_of: &[],
};

static POSTBACK_BUTTON: BlockSpec = BlockSpec {
    what: "a `postback` button",
    constants: &[],
    reserved: &["type"],
    fields: &[
        limited(req("title", Kind::Text), LimitKey::ButtonTitle),
        limited(req("payload", Kind::Text), LimitKey::PostbackPayload),
    ],
    children: &[],
    one_of: &[],
};

static PHONE_BUTTON: BlockSpec = BlockSpec {
    what: "a `phone_number` button",
    constants: &[],
    reserved: &["type"],
    fields: &[
        limited(req("title", Kind::Text), LimitKey::ButtonTitle),
        req("payload", Kind::Phone),
    ],
    children: &[],
    one_of: &[],
};

static BUTTON_TEMPLATE: BlockSpec = BlockSpec {
    what: "a button template",
    constants: &[],
    reserved: &["template_type"],
    fields: &[limited(
        req("text", Kind::Text),
        LimitKey::ButtonTemplateText,
    )],
    children: &[ChildSpec {
        keyword: "button",
        key: "buttons",
        many: true,
        required: true,
        min: 1,
        limit: Some(LimitKey::ButtonTemplateButtons),
        block: BlockKind::Button,
    }],
    one_of: &[],
};

static MEDIA: BlockSpec = BlockSpec {
    what: "a media template",
    constants: &[],
    reserved: &["template_type"],
    fields: &[f("sharable", Kind::Bool)],
    children: &[ChildSpec {
        keyword: "element",
        key: "elements",
        many: true,
        required: true,
        min: 1,
        limit: Some(LimitKey::MediaElements),
        block: BlockKind::MediaElement,
    }],
    one_of: &[],
};

static MEDIA_ELEMENT: BlockSpec = BlockSpec {
    what: "a media element",
    constants: &[],
    reserved: &[],
    fields: &[
        req("media_type", Kind::Choice(&["image", "video"])),
        f("url", Kind::FacebookUrl),
        f("attachment_id", Kind::AttachmentId),
    ],
    children: &[ChildSpec {
        keyword: "button",
        key: "buttons",
        many: true,
        required: false,
        min: 0,
        limit: Some(LimitKey::MediaButtons),
        block: BlockKind::Button,
    }],
    one_of: &["url", "attachment_id"],
};

static QUICK_REPLIES: BlockSpec = BlockSpec {
    what: "the quick replies",
    constants: &[],
    reserved: &[],
    fields: &[],
    children: &[ChildSpec {
        keyword: "quick_reply",
        key: "quick_replies",
        many: true,
        required: false,
        min: 0,
        limit: Some(LimitKey::QuickReplies),
        block: BlockKind::QuickReply,
    }],
    one_of: &[],
};

static TEXT_QUICK_REPLY: BlockSpec = BlockSpec {
    what: "a `text` quick reply",
    constants: &[],
    reserved: &["content_type"],
    fields: &[
        limited(req("title", Kind::Text), LimitKey::QuickReplyTitle),
        limited(req("payload", Kind::Text), LimitKey::QuickReplyPayload),
        f("image_url", Kind::Url),
    ],
    children: &[],
    one_of: &[],
};

static PHONE_QUICK_REPLY: BlockSpec = BlockSpec {
    what: "a `user_phone_number` quick reply",
    constants: &[],
    reserved: &["content_type"],
    fields: &[],
    children: &[],
    one_of: &[],
};

static EMAIL_QUICK_REPLY: BlockSpec = BlockSpec {
    what: "a `user_email` quick reply",
    constants: &[],
    reserved: &["content_type"],
    fields: &[],
    children: &[],
    one_of: &[],
};

static ACCOUNT_LINK_BUTTON: BlockSpec = BlockSpec {
    what: "an `account_link` button",
    constants: &[],
    reserved: &["type"],
    fields: &[req("url", Kind::Url)],
    children: &[],
    one_of: &[],
};

static ACCOUNT_UNLINK_BUTTON: BlockSpec = BlockSpec {
    what: "an `account_unlink` button",
    constants: &[],
    reserved: &["type"],
    fields: &[],
    children: &[],
    one_of: &[],
};

static GAME_PLAY_BUTTON: BlockSpec = BlockSpec {
    what: "a `game_play` button",
    constants: &[],
    reserved: &["type"],
    fields: &[
        limited(req("title", Kind::Text), LimitKey::ButtonTitle),
        f("payload", Kind::Text),
    ],
    children: &[ChildSpec {
        keyword: "game_metadata",
        key: "game_metadata",
        many: false,
        required: false,
        min: 0,
        limit: None,
        block: BlockKind::GameMetadata,
    }],
    one_of: &[],
};

static GAME_METADATA: BlockSpec = BlockSpec {
    what: "a game's metadata",
    constants: &[],
    reserved: &[],
    fields: &[f("player_id", Kind::Text), f("context_id", Kind::Text)],
    children: &[],
    one_of: &[],
};

static RECEIPT: BlockSpec = BlockSpec {
    what: "a receipt",
    constants: &[],
    reserved: &["template_type"],
    fields: &[
        req("recipient_name", Kind::Text),
        f("merchant_name", Kind::Text),
        req("order_number", Kind::Text),
        req("currency", Kind::Currency),
        req("payment_method", Kind::Text),
        f("order_url", Kind::Url),
        f("timestamp", Kind::TextOrInteger),
        f("sharable", Kind::Bool),
    ],
    children: &[
        ChildSpec {
            keyword: "element",
            key: "elements",
            many: true,
            required: false,
            min: 0,
            limit: Some(LimitKey::ReceiptElements),
            block: BlockKind::ReceiptElement,
        },
        ChildSpec {
            keyword: "address",
            key: "address",
            many: false,
            required: false,
            min: 0,
            limit: None,
            block: BlockKind::Address,
        },
        ChildSpec {
            keyword: "summary",
            key: "summary",
            many: false,
            required: true,
            min: 1,
            limit: None,
            block: BlockKind::Summary,
        },
        ChildSpec {
            keyword: "adjustment",
            key: "adjustments",
            many: true,
            required: false,
            min: 0,
            limit: None,
            block: BlockKind::Adjustment,
        },
    ],
    one_of: &[],
};

static RECEIPT_ELEMENT: BlockSpec = BlockSpec {
    what: "a receipt element",
    constants: &[],
    reserved: &[],
    fields: &[
        req("title", Kind::Text),
        f("subtitle", Kind::Text),
        f("quantity", Kind::Integer),
        FieldSpec {
            nonempty: false,
            ..req("price", Kind::Number)
        },
        f("currency", Kind::Currency),
        f("image_url", Kind::Url),
    ],
    children: &[],
    one_of: &[],
};

static ADDRESS: BlockSpec = BlockSpec {
    what: "a receipt address",
    constants: &[],
    reserved: &[],
    fields: &[
        req("street_1", Kind::Text),
        f("street_2", Kind::Text),
        req("city", Kind::Text),
        req("postal_code", Kind::Text),
        req("state", Kind::Text),
        req("country", Kind::Text),
    ],
    children: &[],
    one_of: &[],
};

static SUMMARY: BlockSpec = BlockSpec {
    what: "a receipt summary",
    constants: &[],
    reserved: &[],
    fields: &[
        f("subtotal", Kind::Number),
        f("shipping_cost", Kind::Number),
        f("total_tax", Kind::Number),
        FieldSpec {
            nonempty: false,
            ..req("total_cost", Kind::Number)
        },
    ],
    children: &[],
    one_of: &[],
};

static ADJUSTMENT: BlockSpec = BlockSpec {
    what: "a receipt adjustment",
    constants: &[],
    reserved: &[],
    fields: &[
        req("name", Kind::Text),
        FieldSpec {
            nonempty: false,
            ..req("amount", Kind::Number)
        },
    ],
    children: &[],
    one_of: &[],
};

/// The spec of a block; buttons are chosen by their type label.
pub fn spec(kind: BlockKind, label: Option<&str>) -> Option<&'static BlockSpec> {
    Some(match kind {
        BlockKind::Carousel => &CAROUSEL,
        BlockKind::GenericElement => &GENERIC_ELEMENT,
        BlockKind::DefaultAction => &DEFAULT_ACTION,
        BlockKind::Button => match label? {
            "web_url" => &WEB_URL_BUTTON,
            "postback" => &POSTBACK_BUTTON,
            "phone_number" => &PHONE_BUTTON,
            "account_link" => &ACCOUNT_LINK_BUTTON,
            "account_unlink" => &ACCOUNT_UNLINK_BUTTON,
            "game_play" => &GAME_PLAY_BUTTON,
            _ => return None,
        },
        BlockKind::Receipt => &RECEIPT,
        BlockKind::ReceiptElement => &RECEIPT_ELEMENT,
        BlockKind::Address => &ADDRESS,
        BlockKind::Summary => &SUMMARY,
        BlockKind::Adjustment => &ADJUSTMENT,
        BlockKind::Image => &IMAGE,
        BlockKind::Video => &VIDEO,
        BlockKind::Audio => &AUDIO,
        BlockKind::File => &FILE,
        BlockKind::ButtonTemplate => &BUTTON_TEMPLATE,
        BlockKind::GameMetadata => &GAME_METADATA,
        BlockKind::Media => &MEDIA,
        BlockKind::MediaElement => &MEDIA_ELEMENT,
        BlockKind::QuickReplies => &QUICK_REPLIES,
        BlockKind::QuickReply => match label? {
            "text" => &TEXT_QUICK_REPLY,
            "user_phone_number" => &PHONE_QUICK_REPLY,
            "user_email" => &EMAIL_QUICK_REPLY,
            _ => return None,
        },
    })
}

/// Attachments by URL or id: the keyword is the attachment's `type`, and `KEYWORD URL` is
/// short for `KEYWORD { url: URL }`.
pub const MEDIA_ATTACHMENTS: &[(&str, BlockKind)] = &[
    ("image", BlockKind::Image),
    ("video", BlockKind::Video),
    ("audio", BlockKind::Audio),
    ("file", BlockKind::File),
];

/// Top-level attachment blocks, and the `template_type` they render with.
pub const ATTACHMENT_BLOCKS: &[(&str, BlockKind, &str)] = &[
    ("carousel", BlockKind::Carousel, "generic"),
    ("receipt", BlockKind::Receipt, "receipt"),
    ("buttons", BlockKind::ButtonTemplate, "button"),
    ("media", BlockKind::Media, "media"),
];

/// Everything that can stand at the top level, for "did you mean" suggestions.
pub const TOP_LEVEL_WORDS: &[&str] = &[
    "notification",
    "customer_id",
    "messaging_type",
    "tag",
    "locale",
    "time_zone",
    "input",
    "text",
    "image",
    "video",
    "audio",
    "file",
    "carousel",
    "receipt",
    "buttons",
    "media",
    "quick_replies",
    "metadata",
    "extra",
];

/// A feature Facebook deprecated: what replaces it, and where and when Facebook said so.
#[derive(Debug, Clone, Copy)]
pub struct Deprecated {
    /// The value as written: `SHIPPING_UPDATE`.
    pub name: &'static str,
    /// What to write instead.
    pub instead: &'static str,
    pub source: &'static str,
    pub date: &'static str,
}

impl Deprecated {
    /// The entry for `name` in `table`, if Facebook retired it.
    pub fn find(table: &'static [Deprecated], name: &str) -> Option<&'static Deprecated> {
        table.iter().find(|d| d.name == name)
    }

    /// M2017 at `span`: `what` ("the template", "the button type") was retired, and what to
    /// write instead, with the source and the date.
    pub fn diagnostic(&self, what: &str, span: crate::span::Span) -> crate::diagnostic::Diagnostic {
        crate::diagnostic::codes::m2017_deprecated(format!(
            "{what} `{}` was retired by Facebook",
            self.name
        ))
        .at(span, "Facebook no longer takes this")
        .help(format!("instead, use {}", self.instead))
        .note(format!("{} ({})", self.source, self.date))
    }
}

/// Message tags retired by Facebook's message-tag policy (the current reference lists
/// `CONFIRMED_EVENT_UPDATE`, `POST_PURCHASE_UPDATE`, `ACCOUNT_UPDATE` and `HUMAN_AGENT`).
pub const DEPRECATED_TAGS: &[Deprecated] = &[Deprecated {
    name: "SHIPPING_UPDATE",
    instead: "POST_PURCHASE_UPDATE",
    source:
        "Facebook Messenger Platform changelog (message tags policy update announced 2019-08-29)",
    date: "2020-03-04",
}];

/// Where the current reference leaves out a template type, button type, quick reply type or
/// field that older samples use: the Messenger Platform reference pages as updated in 2026.
const TEMPLATES_REFERENCE: &str =
    "Facebook Message Templates reference (updated 2026-06-30) lists button, generic, media, receipt, product, coupon and customer feedback templates only";

/// Template types Facebook retired (M2017): the current templates reference no longer lists
/// them, and the Send API refuses them.
pub const DEPRECATED_TEMPLATES: &[Deprecated] = &[
    Deprecated {
        name: "list",
        instead: "a `carousel` (generic template) or a `buttons` template",
        source: TEMPLATES_REFERENCE,
        date: "no longer listed on 2026-06-30, though the button pages still name it among their uses",
    },
    Deprecated {
        name: "open_graph",
        instead: "a `carousel` element with a `default_action`, or a `media` template",
        source: TEMPLATES_REFERENCE,
        date: "no longer listed on 2026-06-30",
    },
    Deprecated {
        name: "airline_boardingpass",
        instead: "a `carousel`, `buttons` or `receipt` template",
        source: TEMPLATES_REFERENCE,
        date: "no longer listed on 2026-06-30",
    },
    Deprecated {
        name: "airline_checkin",
        instead: "a `carousel`, `buttons` or `receipt` template",
        source: TEMPLATES_REFERENCE,
        date: "no longer listed on 2026-06-30",
    },
    Deprecated {
        name: "airline_itinerary",
        instead: "a `carousel`, `buttons` or `receipt` template",
        source: TEMPLATES_REFERENCE,
        date: "no longer listed on 2026-06-30",
    },
    Deprecated {
        name: "airline_update",
        instead: "a `carousel`, `buttons` or `receipt` template",
        source: TEMPLATES_REFERENCE,
        date: "no longer listed on 2026-06-30",
    },
    Deprecated {
        name: "one_time_notif_req",
        instead: "a message tag (`messaging_type \"MESSAGE_TAG\"`) or a `buttons` template the person answers",
        source: TEMPLATES_REFERENCE,
        date: "no longer listed on 2026-06-30",
    },
];

/// Template types the current reference lists that missive does not model yet: valid for
/// Facebook, so a payload with one is passed through unchanged in `extra`, with a warning.
pub const UNMODELLED_TEMPLATES: &[&str] = &["product", "coupon", "customer_feedback"];

/// Button types Facebook retired (M2017).
pub const DEPRECATED_BUTTONS: &[Deprecated] = &[Deprecated {
    name: "element_share",
    instead: "`sharable: true` on the carousel, for Messenger's own share button",
    source: "Facebook Buttons reference (updated 2026-04-22) lists web_url, postback, phone_number, account_link, account_unlink and game_play only",
    date: "no longer listed on 2026-04-22",
}];

/// Quick reply types Facebook retired (M2017).
pub const DEPRECATED_QUICK_REPLIES: &[Deprecated] = &[Deprecated {
    name: "location",
    instead: "a `text` quick reply that asks for the postal code or address",
    source: "Facebook Quick Replies reference: \"On July 29, 2019 we deprecated the location button type for V4.0 and will be removing it for all versions on October 29, 2019\"; the Send API answers \"(#100) Location Quick Reply is now deprecated on API 4.0\"",
    date: "2019-10-29",
}];

/// Element fields Facebook retired (M2017).
pub const DEPRECATED_ELEMENT_FIELDS: &[Deprecated] = &[Deprecated {
    name: "item_url",
    instead: "a `default_action { url: ... }` block",
    source: "Facebook Generic Template reference (updated 2026-04-22) lists title, subtitle, image_url, default_action and buttons only; the Send API answers \"(#1) Cannot specify both item_url and default_action\"",
    date: "no longer listed on 2026-04-22",
}];

/// Facebook's names for what missive calls otherwise: `template_type` values and the blocks
/// that write them (`generic` is written `carousel`, `button` is written `buttons`).
pub const FACEBOOK_NAMES: &[(&str, &str)] = &[("generic", "carousel"), ("button", "buttons")];

/// ISO 4217 active currency codes.
pub const CURRENCIES: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW",
    "ZWG",
];

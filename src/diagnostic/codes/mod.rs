//! Stable diagnostic codes, and one constructor per code. A code is never reused: retire a code
//! rather than change its meaning. Each has a page in `docs/codes/` that `missive explain`
//! prints, and a constructor here (`m2001_too_long`) documented by that page: every diagnostic
//! is made through its code's constructor, so the code and its severity are written once.

macro_rules! codes {
    ($($variant:ident = $code:literal, $summary:literal;)*) => {
        /// A stable diagnostic code, grouped by stage: M0xxx syntax, M1xxx names and types,
        /// M2xxx Messenger limits, M3xxx data, M4xxx lints, M5xxx delivery and API errors,
        /// M6xxx import, M9xxx usage and I/O.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(#[doc = $summary] $variant,)*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as printed: `M2001`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }

            /// A one-line summary, for the catalog.
            pub fn summary(self) -> &'static str {
                match self {
                    $(Code::$variant => $summary,)*
                }
            }

            /// The long explanation, with a wrong and a right example: `docs/codes/CODE.md`,
            /// embedded at build time (so a code without a page does not build).
            pub fn explanation(self) -> &'static str {
                match self {
                    $(Code::$variant => include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/", $code, ".md")),)*
                }
            }

            /// The code written `s` (`M2001`, case and surrounding spaces ignored), if it exists.
            pub fn parse(s: &str) -> Option<Code> {
                let s = s.trim().to_ascii_uppercase();
                Code::ALL.iter().copied().find(|c| c.as_str() == s)
            }
        }
    };
}

codes! {
    SyntaxError = "M0001", "a line that is not valid missive syntax";
    UnclosedDelimiter = "M0002", "a `{` that is never closed";
    UnclosedString = "M0003", "a string that is never closed";
    TooDeep = "M0004", "blocks nested deeper than 64 levels";
    InvalidEscape = "M0005", "an unknown escape sequence in a string";
    InvalidInterpolation = "M0006", "a `{{ }}` or `{% %}` that is not a valid expression";
    NotUtf8 = "M0007", "a source file that is not UTF-8";
    EmptyFile = "M0008", "an empty source file";
    FormatChanged = "M0009", "a formatting that would change the template (a formatter bug)";
    TooLarge = "M0010", "a source file over the size limit, or over the parser's budget";
    UndeclaredVariable = "M1001", "a variable or path that `input` does not declare";
    UnknownField = "M1002", "a field that the block does not have";
    TypeMismatch = "M1003", "a value of the wrong type for its field";
    UnknownBlock = "M1004", "a block or command that is not allowed here";
    DuplicateField = "M1005", "a field given twice in one block";
    MissingHeader = "M1006", "a template without a `notification` header";
    DuplicateDeclaration = "M1007", "an input variable declared twice";
    NotAList = "M1008", "a `for` over something that is not a list";
    UnknownType = "M1009", "an unknown type in `input`";
    ConditionalField = "M1010", "a field inside `if` or `for`";
    UnknownButtonType = "M1011", "a button or quick reply type that Messenger does not have";
    SeveralAttachments = "M1012", "more than one attachment in a message";
    InvalidHeader = "M1013", "a header or top-level line with a wrong or missing value";
    ReservedName = "M1014", "an input or loop variable named like a template-engine name";
    UnknownPart = "M1020", "a `use` of a part that no part file defines";
    PartCycle = "M1021", "parts that use each other in a cycle";
    PartArgumentType = "M1022", "an argument of a `use` that does not fit the part's input";
    MissingPartArgument = "M1023", "a `use` without an input that the part requires";
    UnknownPartArgument = "M1024", "an argument of a `use` that the part does not declare";
    DuplicatePart = "M1025", "a part defined twice";
    MisplacedPart = "M1026", "a `part` in a template, or something other than parts in a part file";
    LocalesDeclaration = "M1030", "a `locales` declaration that is wrong, or texts per locale without one";
    MissingTranslation = "M1031", "a text per locale without one of the declared locales";
    UnknownLocale = "M1032", "a text per locale with a key that is not a declared locale";
    InvalidRange = "M1040", "a number range in `input` that holds no value or cannot be data";
    FormatFilter = "M1041", "a formatting filter (`money`, `number`, `date`) that cannot format";
    TooLong = "M2001", "a text over Messenger's length limit";
    TooMany = "M2002", "more elements, buttons or items than Messenger allows";
    MissingField = "M2003", "a required field that is missing";
    EmptyString = "M2004", "an empty string where Messenger needs text";
    InvalidUrl = "M2005", "a URL that is not absolute http(s)";
    InvalidPhone = "M2006", "a phone number not in international `+` format";
    InvalidCurrency = "M2007", "a currency that is not an ISO 4217 code";
    TextWithAttachment = "M2008", "text beside an attachment, where the profile forbids it";
    TooFew = "M2009", "a carousel without elements, or a button template without buttons";
    InvalidChoice = "M2010", "a value outside the choices Messenger accepts";
    EmptyMessage = "M2011", "a message with neither text nor attachment";
    TitleOnlyElement = "M2012", "a carousel element with nothing but a title";
    ConstantCustomerId = "M2013", "a `customer_id` scheme that uses no input variable";
    CustomerIdEncoded = "M2014", "a `customer_id` with characters percent-encoded in the URL";
    InvalidAttachmentId = "M2015", "an `attachment_id` that is not the digits of an uploaded file";
    NotFacebookUrl = "M2016", "a media template `url` that is not on Facebook";
    Deprecated = "M2017", "a Messenger feature that Facebook deprecated, with its replacement";
    InvalidJson = "M3001", "a data file that is not valid JSON";
    MissingData = "M3002", "a required input missing from the data";
    WrongDataType = "M3003", "a data value of the wrong type";
    DataTooLong = "M3004", "a data string or list over its declared `max`";
    UnknownDataKey = "M3005", "a data key that `input` does not declare";
    InvalidDataUrl = "M3006", "a data value declared `url` that is not absolute http(s)";
    RenderFailed = "M3007", "an interpolation that failed while rendering";
    DuplicateDataKey = "M3008", "a key given twice in one object of the data";
    DataTooLarge = "M3025", "a JSON document over the data size limit";
    UnknownRecordLocale = "M3030", "a record whose locale the template does not declare";
    DataOutOfRange = "M3040", "a data number outside its declared range";
    ExtraFields = "M4001", "an `extra` block, copied to the output unchecked";
    NameMismatch = "M4002", "a notification name that differs from the file name";
    StylingMarkup = "M4003", "markup (Markdown, HTML) that Messenger shows literally";
    ReceiptTotals = "M4004", "receipt totals that do not add up";
    MillisecondTimestamp = "M4005", "a receipt `timestamp` in milliseconds instead of seconds";
    CountryCode = "M4006", "a country that is not an ISO 3166-1 alpha-2 code";
    PlainHttpImage = "M4007", "an image URL over plain `http:`";
    NoMaxDeclared = "M4008", "a limited field that reads a string or list declared without `max`";
    Unboundable = "M4009", "an expression whose length missive cannot bound";
    ImageAspect = "M4010", "an image whose shape Messenger will crop";
    ImageUnreadable = "M4011", "an image whose size `--check-images` could not read";
    PlatformMayDrop = "M4012", "a Messenger field that the profile's platform may not pass on";
    BidiControl = "M4013", "a bidirectional control character, which can make a template read differently (Trojan Source)";
    NoMessagingType = "M4020", "a Send API request without `messaging_type`";
    ApiRefused = "M5001", "a message the API refused, for a reason without a finer code";
    ApiTooLong = "M5002", "a text the API refused as too long";
    ApiTooMany = "M5003", "a list the API refused for having too many items";
    ApiRequired = "M5004", "a parameter the API says is required";
    ApiInvalidKeys = "M5005", "keys the API does not accept";
    ApiEmptyString = "M5006", "an empty text the API refused";
    ApiTooFew = "M5007", "a list the API refused for having too few items";
    DeliveryFailed = "M5021", "a message not delivered after every retry";
    DeliveryUncertain = "M5022", "a message that may or may not have been delivered";
    DuplicateCustomerId = "M5023", "two records with the same customer_id in one send";
    ImportExtra = "M6001", "a payload field missive does not model, kept in `extra`";
    ImportType = "M6002", "a payload value of the wrong JSON type";
    ImportMoved = "M6003", "receipt parts beside `payload`, moved inside it";
    ImportDropped = "M6004", "a payload part that is per-send data, left out of the template";
    ImportShape = "M6005", "JSON that is not a Messenger payload missive reads";
    NoSampleData = "M7001", "a template that `build` cannot render: it has no sample data";
    DuplicateOutput = "M7002", "two templates that `build` would write to the same file";
    Io = "M9001", "a file that cannot be read or written";
    Usage = "M9002", "a wrong combination of command-line flags";
    Profile = "M9003", "a profile that cannot be found or read";
    ProjectFile = "M9004", "a project file `missive.toml` with an unknown key or a wrong value";
    NoToken = "M9010", "`send` without an access token";
    BadJournal = "M9011", "a delivery journal that cannot be used";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

// One constructor per code, named `m` + its number + its name, whose documentation is the
// code's page: every diagnostic is made through them, so a code's severity lives in one place and
// `grep m2001_` finds every place that reports it. Grouped in files by family. The pages are
// written for `missive explain`, not rustdoc: their `[elements][0]` are API paths, not links.
#[allow(rustdoc::broken_intra_doc_links)]
mod build;
#[allow(rustdoc::broken_intra_doc_links)]
mod data;
#[allow(rustdoc::broken_intra_doc_links)]
mod delivery;
#[allow(rustdoc::broken_intra_doc_links)]
mod import;
#[allow(rustdoc::broken_intra_doc_links)]
mod limits;
#[allow(rustdoc::broken_intra_doc_links)]
mod lints;
#[allow(rustdoc::broken_intra_doc_links)]
mod names;
#[allow(rustdoc::broken_intra_doc_links)]
mod syntax;
#[allow(rustdoc::broken_intra_doc_links)]
mod usage;

pub use build::*;
pub use data::*;
pub use delivery::*;
pub use import::*;
pub use limits::*;
pub use lints::*;
pub use names::*;
pub use syntax::*;
pub use usage::*;

#[cfg(test)]
mod tests;

//! The language server: `missive lsp` speaks the Language Server Protocol over stdio.
//!
//! Each open document is checked by the same [`driver`] and profile as `missive check`, and its
//! diagnostics published with the same codes, messages and spans (positions converted to
//! UTF-16). Completion, hover and go-to-definition read the syntax tree the parser built (which it
//! always builds, even for a broken file) through `analysis`. Documents sync incrementally; a
//! burst of changes is compiled once, when the queue of incoming messages is empty.

pub(crate) mod analysis;
mod parts;
pub(crate) mod position;
pub(crate) mod transport;

use std::collections::{HashMap, HashSet};
use std::error::Error;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, Formatting, GotoDefinition, HoverRequest, Request as _,
};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CompletionItem, CompletionItemKind, CompletionOptions,
    CompletionParams, CompletionResponse, DiagnosticRelatedInformation, DiagnosticSeverity,
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DocumentFormattingParams, GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents,
    HoverParams, HoverProviderCapability, InsertTextFormat, Location, MarkupContent, MarkupKind,
    NumberOrString, OneOf, PublishDiagnosticsParams, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Uri, WorkspaceEdit,
};

use crate::diagnostic::{Diagnostic, Origin, Severity};
use crate::driver;
use crate::model::profile::Profile;
use crate::model::types::ObjTy;
use crate::span::SourceFile;
use crate::syntax::ast;
use analysis::{Analysis, CompletionKind};
use position::LineIndex;

use std::sync::Arc;

type BoxError = Box<dyn Error + Send + Sync>;

/// The profile for a document's file, when it has one of its own (its project file's); else
/// the server's default applies.
pub type ProfileFor = Box<dyn Fn(&std::path::Path) -> Option<Profile>>;

/// Serves one client over standard input and output until it says `exit`.
pub fn run_stdio(profile: Profile, profile_for: Option<ProfileFor>) -> Result<(), BoxError> {
    let (connection, io_threads) = transport::stdio();
    serve(&connection, profile, profile_for)?;
    drop(connection);
    io_threads.join()?;
    Ok(())
}

/// What the server can do.
pub(crate) fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(
            TextDocumentSyncKind::INCREMENTAL,
        )),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into()]),
            ..CompletionOptions::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// Serves one client on a connection: the handshake, then every message until `exit`.
pub(crate) fn serve(
    connection: &Connection,
    profile: Profile,
    profile_for: Option<ProfileFor>,
) -> Result<(), BoxError> {
    let (id, params) = connection.initialize_start()?;
    // Read only what is needed: a client whose other parameters lsp-types would not accept
    // (an odd workspace URI...) still gets a server.
    let snippets = params
        .pointer("/capabilities/textDocument/completion/completionItem/snippetSupport")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false);
    let result = lsp_types::InitializeResult {
        capabilities: capabilities(),
        server_info: Some(ServerInfo {
            name: "missive".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    connection.initialize_finish(id, serde_json::to_value(result)?)?;
    let mut server = Server {
        profile: Arc::new(profile),
        profile_for,
        snippets,
        docs: HashMap::new(),
        dirty: HashSet::new(),
    };
    for msg in &connection.receiver {
        match msg {
            Message::Request(req) => {
                if connection.handle_shutdown(&req)? {
                    return Ok(());
                }
                let response = server.request(req);
                connection.sender.send(response.into())?;
            }
            Message::Notification(n) => server.notification(n),
            Message::Response(_) => {}
        }
        // Publish once the burst of edits is over: typing fast compiles the last text only.
        if connection.receiver.is_empty() {
            for note in server.publish() {
                connection.sender.send(note.into())?;
            }
        }
    }
    Ok(())
}

/// An open document and, once asked for, its compilation.
pub(crate) struct Document {
    pub text: String,
    pub version: i32,
    index: LineIndex,
    stem: Option<String>,
    /// The document's own profile (from its project file), if it has one.
    profile: Option<Arc<Profile>>,
    compiled: Option<Compiled>,
    /// Its local path, for a `file:` URI.
    path: Option<std::path::PathBuf>,
    /// The shared parts its uses bring in (see [`parts::catalogue`]).
    parts: Arc<crate::check::parts::Catalogue>,
}

struct Compiled {
    diagnostics: Vec<Diagnostic>,
    /// The part files its diagnostics' [`Origin::Part`] labels point into.
    parts: Vec<Arc<SourceFile>>,
    file: ast::File,
    input: Arc<ObjTy>,
}

struct Server {
    /// The profile of documents without one of their own.
    profile: Arc<Profile>,
    profile_for: Option<ProfileFor>,
    /// The client takes snippets in completions.
    snippets: bool,
    docs: HashMap<Uri, Document>,
    /// Documents opened, changed or closed since their diagnostics were last published.
    dirty: HashSet<Uri>,
}

impl Document {
    pub fn new(uri: &Uri, text: String, version: i32) -> Document {
        Document {
            index: LineIndex::new(&text),
            text,
            version,
            stem: file_stem(uri),
            profile: None,
            compiled: None,
            path: file_path(uri),
            parts: Arc::default(),
        }
    }

    fn edit(&mut self, range: Option<lsp_types::Range>, new: &str) {
        match range {
            Some(range) => {
                let span = self.index.span(&self.text, range);
                self.text.replace_range(span.range(), new);
            }
            None => self.text = new.to_string(),
        }
        self.index = LineIndex::new(&self.text);
        self.compiled = None;
    }

    fn compiled(&mut self, profile: &Profile) -> &Compiled {
        let text = &self.text;
        let stem = &self.stem;
        let (path, parts) = (&self.path, &self.parts);
        self.compiled.get_or_insert_with(|| {
            // The driver `missive check` runs, on the one document: the editor shows what the
            // command line reports (a part file is checked as parts).
            let source = Arc::new(SourceFile::new("", text.clone()));
            let path = path
                .as_ref()
                .map_or(String::new(), |p| p.to_string_lossy().into_owned());
            let input = driver::Input {
                stem: stem.clone(),
                ..driver::Input::template(path, source)
            }
            .with_parts(parts.clone());
            let settings = driver::Settings::new(profile.clone());
            // A document is checked without data: no other file is read.
            let mut no_files = |_: &str| -> Result<Arc<SourceFile>, ()> { Err(()) };
            let c = driver::check(&[input], &settings, &mut no_files)
                .pop()
                .expect("one result per input");
            Compiled {
                diagnostics: c.report.diagnostics,
                parts: c.report.parts,
                file: c.tree,
                input: c.input,
            }
        })
    }

    /// The diagnostics as the protocol has them.
    pub fn diagnostics(&mut self, uri: &Uri, profile: &Profile) -> Vec<lsp_types::Diagnostic> {
        self.compiled(profile);
        let compiled = self.compiled.as_ref().expect("just compiled");
        compiled
            .diagnostics
            .iter()
            .filter_map(|d| to_lsp(d, uri, &self.text, &self.index, &compiled.parts))
            .collect()
    }
}

/// Whether the document is a part file (in a `parts/` folder).
fn is_part_doc(doc: &Document) -> bool {
    doc.path
        .as_ref()
        .is_some_and(|p| crate::check::parts::is_part_path(&p.to_string_lossy()))
}

/// The file's stem, which the `notification` name should match (as `check` warns).
/// The local path of a `file:` URI.
fn file_path(uri: &Uri) -> Option<std::path::PathBuf> {
    url::Url::parse(uri.as_str()).ok()?.to_file_path().ok()
}

fn file_stem(uri: &Uri) -> Option<String> {
    let last = uri.path().as_str().rsplit('/').next()?;
    let name = percent_encoding::percent_decode_str(last)
        .decode_utf8()
        .ok()?
        .into_owned();
    let stem = name.strip_suffix(".missive")?;
    (!stem.is_empty()).then(|| stem.to_string())
}

/// Where a diagnostic is shown in its document: its primary label, or, for one whose primary
/// is in a shared part's file, the `use` in the document that brought the part in (the
/// protocol publishes diagnostics per document).
fn shown_at(d: &Diagnostic) -> Option<&crate::diagnostic::Label> {
    let primary = d.primary()?;
    match primary.origin {
        Origin::Template => Some(primary),
        Origin::Part(_) => d.labels.iter().rev().find(|l| l.origin == Origin::Template),
        Origin::Data | Origin::Earlier => None,
    }
}

/// One diagnostic in the protocol's terms: the help and notes follow the message (editors show
/// the message, not a separate help), secondary labels are related information. One whose
/// primary is in a shared part's file (`parts`) is shown at the `use` that brought it in, and
/// its labels in the part file are related information at the part file's URI.
pub(crate) fn to_lsp(
    d: &Diagnostic,
    uri: &Uri,
    text: &str,
    index: &LineIndex,
    parts: &[Arc<SourceFile>],
) -> Option<lsp_types::Diagnostic> {
    let primary = shown_at(d)?;
    let mut message = d.message.clone();
    if let Some(m) = d.primary().and_then(|l| l.message.as_ref()) {
        message.push_str(&format!(" ({m})"));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    for note in &d.notes {
        message.push_str(&format!("\nnote: {note}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter(|l| !std::ptr::eq(*l, primary))
        .filter_map(|l| {
            let location = match l.origin {
                Origin::Template => Location::new(uri.clone(), index.range(text, l.span)),
                Origin::Part(i) => {
                    let file = parts.get(i as usize)?;
                    let target = url::Url::from_file_path(&file.name).ok()?;
                    Location::new(
                        target.as_str().parse().ok()?,
                        LineIndex::new(&file.text).range(&file.text, l.span),
                    )
                }
                Origin::Data | Origin::Earlier => return None,
            };
            Some(DiagnosticRelatedInformation {
                location,
                message: l.message.clone().unwrap_or_else(|| "related".into()),
            })
        })
        .collect();
    Some(lsp_types::Diagnostic {
        range: index.range(text, primary.span),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.as_str().into())),
        code_description: None,
        source: Some("missive".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    })
}

fn ok(id: RequestId, result: impl serde::Serialize) -> Response {
    match serde_json::to_value(result) {
        Ok(v) => Response {
            id,
            response_result: Ok(v),
        },
        Err(e) => Response::new_err(id, ErrorCode::InternalError as i32, e.to_string()),
    }
}

impl Server {
    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) = n.extract::<DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD) {
                    let uri = p.text_document.uri;
                    let mut doc =
                        Document::new(&uri, p.text_document.text, p.text_document.version);
                    if let (Some(find), Some(path)) = (&self.profile_for, file_path(&uri)) {
                        doc.profile = find(&path).map(Arc::new);
                    }
                    let part_file = is_part_doc(&doc);
                    self.docs.insert(uri.clone(), doc);
                    self.dirty.insert(uri.clone());
                    if part_file {
                        self.parts_changed();
                    } else {
                        let parts = self.parts_for(&uri);
                        if let Some(doc) = self.docs.get_mut(&uri) {
                            doc.parts = parts;
                        }
                    }
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) =
                    n.extract::<DidChangeTextDocumentParams>(DidChangeTextDocument::METHOD)
                {
                    let uri = p.text_document.uri;
                    if let Some(doc) = self.docs.get_mut(&uri) {
                        for change in &p.content_changes {
                            doc.edit(change.range, &change.text);
                        }
                        doc.version = p.text_document.version;
                        let part_file = is_part_doc(doc);
                        self.dirty.insert(uri.clone());
                        if part_file {
                            self.parts_changed();
                        } else {
                            // Part files edited outside the editor are read again too.
                            let parts = self.parts_for(&uri);
                            if let Some(doc) = self.docs.get_mut(&uri) {
                                doc.parts = parts;
                            }
                        }
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) = n.extract::<DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                {
                    // A closed file's problems leave the editor's problem list with it.
                    let closed = self.docs.remove(&p.text_document.uri);
                    self.dirty.insert(p.text_document.uri);
                    if closed.is_some_and(|d| is_part_doc(&d)) {
                        self.parts_changed(); // its saved text applies again
                    }
                }
            }
            _ => {}
        }
    }

    /// The shared parts of the document at `uri`: the `parts/` folder beside it, with the open
    /// part files as the editor has them.
    fn parts_for(&self, uri: &Uri) -> Arc<crate::check::parts::Catalogue> {
        let Some(path) = self.docs.get(uri).and_then(|d| d.path.as_ref()) else {
            return Arc::default();
        };
        let open = self
            .docs
            .values()
            .filter_map(|d| Some((d.path.as_deref()?, d.text.as_str())));
        Arc::new(parts::catalogue(&parts::folder(path), open))
    }

    /// A part file was opened, edited or closed: every open document is checked again with
    /// the parts as they are now, and its diagnostics published again.
    // `Uri` hashes and compares by its text only: its cached parts do not change the key.
    #[allow(clippy::mutable_key_type)]
    fn parts_changed(&mut self) {
        let fresh: Vec<(Uri, Arc<crate::check::parts::Catalogue>)> = self
            .docs
            .keys()
            .map(|uri| (uri.clone(), self.parts_for(uri)))
            .collect();
        for (uri, parts) in fresh {
            if let Some(doc) = self.docs.get_mut(&uri) {
                doc.parts = parts;
                doc.compiled = None;
                self.dirty.insert(uri);
            }
        }
    }

    /// `textDocument/publishDiagnostics` for every document changed since the last time.
    fn publish(&mut self) -> Vec<Notification> {
        let mut out = Vec::new();
        for uri in std::mem::take(&mut self.dirty) {
            let params = match self.docs.get_mut(&uri) {
                Some(doc) => PublishDiagnosticsParams {
                    diagnostics: {
                        let profile = doc.profile.clone().unwrap_or_else(|| self.profile.clone());
                        doc.diagnostics(&uri, &profile)
                    },
                    uri,
                    version: Some(doc.version),
                },
                None => PublishDiagnosticsParams {
                    uri,
                    diagnostics: Vec::new(),
                    version: None,
                },
            };
            out.push(Notification::new(PublishDiagnostics::METHOD.into(), params));
        }
        out
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        let bad_params = |id: RequestId, e: serde_json::Error| {
            Response::new_err(id, ErrorCode::InvalidParams as i32, e.to_string())
        };
        let params = req.params;
        match req.method.as_str() {
            Completion::METHOD => match serde_json::from_value::<CompletionParams>(params) {
                Ok(p) => ok(id, self.completion(p)),
                Err(e) => bad_params(id, e),
            },
            HoverRequest::METHOD => match serde_json::from_value::<HoverParams>(params) {
                Ok(p) => ok(id, self.hover(p)),
                Err(e) => bad_params(id, e),
            },
            GotoDefinition::METHOD => {
                match serde_json::from_value::<GotoDefinitionParams>(params) {
                    Ok(p) => ok(id, self.definition(p)),
                    Err(e) => bad_params(id, e),
                }
            }
            CodeActionRequest::METHOD => match serde_json::from_value::<CodeActionParams>(params) {
                Ok(p) => ok(id, self.code_actions(p)),
                Err(e) => bad_params(id, e),
            },
            Formatting::METHOD => {
                match serde_json::from_value::<DocumentFormattingParams>(params) {
                    Ok(p) => match self.formatting(p) {
                        Ok(edits) => ok(id, edits),
                        Err(message) => {
                            Response::new_err(id, ErrorCode::RequestFailed as i32, message)
                        }
                    },
                    Err(e) => bad_params(id, e),
                }
            }
            other => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("missive does not handle `{other}`"),
            ),
        }
    }

    /// The document and its analysis at a position, as a byte offset.
    fn at<T>(
        &mut self,
        uri: &Uri,
        position: lsp_types::Position,
        f: impl FnOnce(&Analysis<'_>, usize, &Document, &Profile) -> T,
    ) -> Option<T> {
        let doc = self.docs.get_mut(uri)?;
        let profile = doc.profile.clone().unwrap_or_else(|| self.profile.clone());
        doc.compiled(&profile);
        let doc = &*doc;
        let compiled = doc.compiled.as_ref()?;
        let analysis = Analysis::new(&doc.text, &compiled.file, compiled.input.clone());
        let offset = doc.index.offset(&doc.text, position);
        Some(f(&analysis, offset, doc, &profile))
    }

    fn completion(&mut self, p: CompletionParams) -> Option<CompletionResponse> {
        let pos = p.text_document_position;
        let items = self.at(
            &pos.text_document.uri,
            pos.position,
            |a, offset, doc, profile| {
                parts::complete(&doc.text, offset, &doc.parts)
                    .unwrap_or_else(|| a.complete(offset, profile))
            },
        )?;
        let snippets = self.snippets;
        Some(CompletionResponse::Array(
            items
                .into_iter()
                .map(|c| {
                    let (insert, format) = match c.snippet {
                        Some(s) if snippets => (s, InsertTextFormat::SNIPPET),
                        _ => (c.insert, InsertTextFormat::PLAIN_TEXT),
                    };
                    CompletionItem {
                        kind: Some(match c.kind {
                            CompletionKind::Field => CompletionItemKind::FIELD,
                            CompletionKind::Block => CompletionItemKind::STRUCT,
                            CompletionKind::Keyword => CompletionItemKind::KEYWORD,
                            CompletionKind::Variable => CompletionItemKind::VARIABLE,
                            CompletionKind::Type => CompletionItemKind::TYPE_PARAMETER,
                            CompletionKind::Value => CompletionItemKind::ENUM_MEMBER,
                        }),
                        detail: Some(c.detail),
                        insert_text: (insert != c.label).then_some(insert),
                        insert_text_format: Some(format),
                        label: c.label,
                        ..CompletionItem::default()
                    }
                })
                .collect(),
        ))
    }

    fn hover(&mut self, p: HoverParams) -> Option<Hover> {
        let pos = p.text_document_position_params;
        self.at(
            &pos.text_document.uri,
            pos.position,
            |a, offset, doc, profile| {
                let on_use = parts::use_at(&doc.text, offset)
                    .and_then(|(name, span)| Some((parts::hover(doc.parts.get(&name)?), span)));
                let (text, span) = on_use.or_else(|| a.hover(offset, profile))?;
                Some(Hover {
                    contents: HoverContents::Markup(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: text,
                    }),
                    range: Some(doc.index.range(&doc.text, span)),
                })
            },
        )?
    }

    fn definition(&mut self, p: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
        let pos = p.text_document_position_params;
        let uri = pos.text_document.uri.clone();
        self.at(&pos.text_document.uri, pos.position, |a, offset, doc, _| {
            // From a use to its part, in its file.
            if let Some((name, _)) = parts::use_at(&doc.text, offset) {
                let part = doc.parts.get(&name)?;
                let file = part.file();
                let target = url::Url::from_file_path(&file.name).ok()?;
                let range = LineIndex::new(&file.text).range(&file.text, part.name_span());
                return Some(GotoDefinitionResponse::Scalar(Location::new(
                    target.as_str().parse().ok()?,
                    range,
                )));
            }
            let span = a.definition(offset)?;
            Some(GotoDefinitionResponse::Scalar(Location::new(
                uri,
                doc.index.range(&doc.text, span),
            )))
        })?
    }

    /// Quick fixes: the fixes the diagnostics in the range suggest, the ones `missive check
    /// --fix` applies (safe ones preferred).
    // `Uri` hashes and compares by its text only: its cached parts do not change the key.
    #[allow(clippy::mutable_key_type)]
    fn code_actions(&mut self, p: CodeActionParams) -> Option<Vec<CodeActionOrCommand>> {
        let uri = p.text_document.uri;
        let doc = self.docs.get_mut(&uri)?;
        let profile = doc.profile.clone().unwrap_or_else(|| self.profile.clone());
        doc.compiled(&profile);
        let compiled = doc.compiled.as_ref()?;
        let wanted = doc.index.span(&doc.text, p.range);
        let mut out = Vec::new();
        for d in &compiled.diagnostics {
            let Some(primary) = shown_at(d) else {
                continue;
            };
            let s = primary.span;
            if s.end < wanted.start || s.start > wanted.end {
                continue;
            }
            for fix in d.fixes() {
                let (span, replacement) = (fix.span, &fix.replacement);
                let edit = TextEdit::new(doc.index.range(&doc.text, span), replacement.clone());
                let mut changes = HashMap::new();
                changes.insert(uri.clone(), vec![edit]);
                let title = fix.title(&doc.text);
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title,
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: to_lsp(d, &uri, &doc.text, &doc.index, &compiled.parts)
                        .map(|d| vec![d]),
                    edit: Some(WorkspaceEdit {
                        changes: Some(changes),
                        ..WorkspaceEdit::default()
                    }),
                    // A safe fix is the one to take; an unsafe one is a judgement.
                    is_preferred: Some(fix.is_safe()),
                    ..CodeAction::default()
                }));
            }
        }
        Some(out)
    }

    fn formatting(&mut self, p: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>, String> {
        let Some(doc) = self.docs.get(&p.text_document.uri) else {
            return Ok(None);
        };
        formatting_edits(&doc.text, &doc.index)
    }
}

/// The edit that formats a document: the lines that change, replaced by their formatted text
/// (none when the document is already formatted). A template with a syntax error is refused
/// with that error, as `missive fmt` refuses it.
fn formatting_edits(text: &str, index: &LineIndex) -> Result<Option<Vec<TextEdit>>, String> {
    let formatted = crate::fmt::format(text).map_err(|diagnostics| {
        let first = diagnostics.iter().find(|d| d.is_error());
        match first.and_then(|d| Some((d, d.primary()?))) {
            Some((d, l)) => {
                let p = index.position(text, l.span.start as usize);
                format!(
                    "cannot format: {} [{}] at line {}, column {}",
                    d.message,
                    d.code.as_str(),
                    p.line + 1,
                    p.character + 1
                )
            }
            None => "cannot format: the template does not parse".to_string(),
        }
    })?;
    Ok(Some(
        line_edit(text, &formatted, index).into_iter().collect(),
    ))
}

/// One edit turning `old` into `new`: the lines they do not share at the start and at the end.
fn line_edit(old: &str, new: &str, index: &LineIndex) -> Option<TextEdit> {
    if old == new {
        return None;
    }
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let prefix = old_lines
        .iter()
        .zip(&new_lines)
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = old_lines[prefix..]
        .iter()
        .rev()
        .zip(new_lines[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let start: usize = old_lines[..prefix].iter().map(|l| l.len()).sum();
    let end: usize = old.len()
        - old_lines[old_lines.len() - suffix..]
            .iter()
            .map(|l| l.len())
            .sum::<usize>();
    let replacement: String = new_lines[prefix..new_lines.len() - suffix].concat();
    Some(TextEdit::new(
        index.range(old, crate::span::Span::new(start, end)),
        replacement,
    ))
}

#[cfg(test)]
mod tests;

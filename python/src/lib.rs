//! The Python module `missive_templates`: compile a template once, render it in-process with a
//! dict or a JSON string (the command's data checks, render-time checks and diagnostics), render
//! many records on several threads with the batch core, and read the input's JSON Schema. The
//! GIL is released while Rust checks and renders, so Python threads render in parallel.

use std::ffi::CString;
use std::path::Path;
use std::sync::Arc;

use missive::diagnostic::report::{self, FileReport};
use missive::diagnostic::Origin;
use missive::{Code, Diagnostic, Profile, SourceFile};
use pyo3::exceptions::{PyException, PyUserWarning, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use pyo3::PyTypeInfo;

mod data;

pyo3::create_exception!(
    missive_templates,
    MissiveError,
    PyException,
    "A template or its data has errors: `diagnostics` lists them, `report` is the human report."
);
pyo3::create_exception!(
    missive_templates,
    CompileError,
    MissiveError,
    "The template does not compile."
);
pyo3::create_exception!(
    missive_templates,
    RenderError,
    MissiveError,
    "The data does not pass the template's checks, or the rendered message breaks a limit."
);
pyo3::create_exception!(
    missive_templates,
    MissiveWarning,
    PyUserWarning,
    "A warning from rendering (an unknown key in the data, a plain-http image...)."
);

/// One diagnostic, as `missive check --format json` gives it.
#[pyclass(name = "Diagnostic", module = "missive_templates", frozen, get_all)]
struct PyDiagnostic {
    code: String,
    severity: String,
    message: String,
    /// The template's name, `<data>` for a JSON string, `<record N>` in a batch; `None`
    /// without a position.
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    help: Option<String>,
    notes: Vec<String>,
}

#[pymethods]
impl PyDiagnostic {
    fn __repr__(&self) -> String {
        let at = match (&self.file, self.line, self.column) {
            (Some(f), Some(l), Some(c)) => format!(" at {f}:{l}:{c}"),
            _ => String::new(),
        };
        format!(
            "<Diagnostic {}[{}]{at}: {}>",
            self.severity, self.code, self.message
        )
    }
}

/// The sources a set of diagnostics points into: the template, and the data when it was text.
struct Sources<'a> {
    template: &'a Arc<SourceFile>,
    data: Option<Arc<SourceFile>>,
    /// The shared parts' files the template uses.
    parts: &'a [Arc<SourceFile>],
}

impl Sources<'_> {
    /// A dict has no lines: its labels go (the messages name the data path), the template's
    /// stay.
    fn fit(&self, mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        if self.data.is_none() {
            for d in &mut diagnostics {
                d.labels.retain(|l| l.origin != Origin::Data);
            }
        }
        diagnostics
    }

    fn python(&self, d: &Diagnostic) -> PyDiagnostic {
        let primary = d.labels.first();
        let source = primary.and_then(|l| match l.origin {
            Origin::Template => Some(self.template.as_ref()),
            Origin::Data => self.data.as_deref(),
            Origin::Part(i) => self.parts.get(i as usize).map(|s| &**s),
            // Only a send's diagnostics point at an earlier record.
            Origin::Earlier => None,
        });
        let (start, end) = match (primary, source) {
            (Some(l), Some(s)) => (
                Some(s.line_col(l.span.start as usize)),
                Some(s.line_col(l.span.end as usize)),
            ),
            _ => (None, None),
        };
        PyDiagnostic {
            code: d.code.as_str().to_string(),
            severity: d.severity.as_str().to_string(),
            message: d.message.clone(),
            file: source.map(|s| s.name.clone()),
            line: start.map(|p| p.line),
            column: start.map(|p| p.column),
            end_line: end.map(|p| p.line),
            end_column: end.map(|p| p.column),
            help: d.help.clone(),
            notes: d.notes.clone(),
        }
    }

    fn report(&self, diagnostics: &[Diagnostic]) -> String {
        let r = FileReport {
            path: self.template.name.clone(),
            template: Some(self.template.clone()),
            data: self.data.clone(),
            parts: self.parts.to_vec(),
            earlier: None,
            diagnostics: diagnostics.to_vec(),
        };
        report::human(&[r], false)
    }

    /// The exception `E` for these diagnostics, with `diagnostics` and `report` set.
    fn error<E: PyTypeInfo>(&self, py: Python<'_>, diagnostics: Vec<Diagnostic>) -> PyErr {
        let diagnostics = self.fit(diagnostics);
        // The human report ends with a blank line between files; `str(error)` does not need it.
        let report = self.report(&diagnostics).trim_end().to_owned();
        let err = PyErr::new::<E, _>(report.clone());
        let set = || -> PyResult<()> {
            let list: Vec<PyDiagnostic> = diagnostics.iter().map(|d| self.python(d)).collect();
            let value = err.value(py);
            value.setattr("diagnostics", list)?;
            value.setattr("report", report)?;
            // `render_many` sets the record's position; `render` has none.
            value.setattr("index", py.None())?;
            Ok(())
        };
        match set() {
            Ok(()) => err,
            Err(e) => e,
        }
    }
}

/// A compiled template: render it many times, from any thread.
#[pyclass(name = "Template", module = "missive_templates", frozen)]
struct PyTemplate {
    template: missive::Template,
    source: Arc<SourceFile>,
    parts: Vec<Arc<SourceFile>>,
    warnings: Vec<Diagnostic>,
}

/// One record's data, as the checks read it: JSON text, and whether it came from a dict.
struct Text {
    json: String,
    from_dict: bool,
}

fn data_text(data: &Bound<'_, PyAny>) -> PyResult<Text> {
    if let Ok(s) = data.cast::<PyString>() {
        return Ok(Text {
            json: s.to_str()?.to_owned(),
            from_dict: false,
        });
    }
    if let Ok(b) = data.cast::<PyBytes>() {
        let json = std::str::from_utf8(b.as_bytes())
            .map_err(|e| PyValueError::new_err(format!("the data is not UTF-8: {e}")))?;
        return Ok(Text {
            json: json.to_owned(),
            from_dict: false,
        });
    }
    let mut out = Vec::with_capacity(1024);
    data::write_json(data, &mut out)?;
    Ok(Text {
        json: String::from_utf8(out).expect("JSON written from str is UTF-8"),
        from_dict: true,
    })
}

impl PyTemplate {
    fn sources(&self, data: Option<SourceFile>) -> Sources<'_> {
        Sources {
            template: &self.source,
            data: data.map(Arc::new),
            parts: &self.parts,
        }
    }
}

/// Issues render warnings as Python warnings (`MissiveWarning`); their messages name the data
/// path, so they need no position.
fn warn(py: Python<'_>, warnings: Vec<Diagnostic>) -> PyResult<()> {
    let category = py.get_type::<MissiveWarning>();
    for d in warnings {
        let text = format!(
            "{}[{}]: {}",
            d.severity.as_str(),
            d.code.as_str(),
            d.message
        );
        let text = CString::new(text.replace('\0', " ")).expect("no NUL left");
        PyErr::warn(py, &category, &text, 1)?;
    }
    Ok(())
}

type Rendered = Result<(Vec<u8>, Vec<Diagnostic>), Vec<Diagnostic>>;

fn render_one(template: &missive::Template, json: &str) -> Rendered {
    let (node, mut warnings) = missive::check::data::prepare(template, json)?;
    let mut out = Vec::with_capacity(json.len() + 256);
    warnings.extend(template.render_to(&mut out, &node)?);
    Ok((out, warnings))
}

#[pymethods]
impl PyTemplate {
    /// Renders the message body for `data` (a dict, or a JSON document as `str` or `bytes`)
    /// and returns it as a JSON string; raises `RenderError` with the diagnostics.
    fn render(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<String> {
        let text = data_text(data)?;
        let rendered = py.detach(|| render_one(&self.template, &text.json));
        let data_source =
            || (!text.from_dict).then(|| SourceFile::new("<data>", text.json.clone()));
        match rendered {
            Ok((out, warnings)) => {
                if !warnings.is_empty() {
                    warn(py, warnings)?;
                }
                Ok(String::from_utf8(out).expect("rendered JSON is UTF-8"))
            }
            Err(diagnostics) => Err(self
                .sources(data_source())
                .error::<RenderError>(py, diagnostics)),
        }
    }

    /// Renders every record of `records` (dicts, or JSON documents as `str` or `bytes`, one per
    /// record) with the batch core on `jobs` threads (0: one per core). Returns one item per
    /// record, in order: the body as a JSON string, or for a rejected record the `RenderError`
    /// (not raised) with its `diagnostics`, `report` and `index`. Warnings as in `render`.
    #[pyo3(signature = (records, *, jobs = 0))]
    fn render_many(
        &self,
        py: Python<'_>,
        records: &Bound<'_, PyAny>,
        jobs: usize,
    ) -> PyResult<Vec<Py<PyAny>>> {
        let mut input = Vec::new();
        let mut from_dict = Vec::new();
        // A record that cannot be read as JSON (a dict holding a `set`, NaN, bytes that are not
        // UTF-8) is rejected in its place, as the batch core rejects a line that is not JSON:
        // its line is left blank for the core, and its reason kept here.
        let mut unreadable: Vec<Option<String>> = Vec::new();
        for record in records.try_iter()? {
            let text = match data_text(&record?) {
                Ok(text) => text,
                Err(e) => {
                    unreadable.push(Some(e.value(py).to_string()));
                    input.push(b'\n');
                    from_dict.push(true);
                    continue;
                }
            };
            unreadable.push(None);
            if text.json.contains(['\n', '\r']) {
                // A line break would cut the record in two; in JSON it can only be whitespace.
                input.extend_from_slice(text.json.replace(['\n', '\r'], " ").as_bytes());
            } else {
                input.extend_from_slice(text.json.as_bytes());
            }
            input.push(b'\n');
            from_dict.push(text.from_dict);
        }
        let options = missive::batch::Options {
            jobs,
            ..Default::default()
        };
        let mut outcomes: Vec<Option<missive::batch::Done>> =
            (0..from_dict.len()).map(|_| None).collect();
        py.detach(|| {
            missive::batch::stream(&self.template, &input[..], &options, |done| {
                let i = done.record.number - 1;
                outcomes[i] = Some(done);
                Ok(())
            })
        })
        .map_err(|e| PyValueError::new_err(format!("the batch failed: {e}")))?;
        let mut results = Vec::with_capacity(outcomes.len());
        for (i, done) in outcomes.into_iter().enumerate() {
            let (diagnostics, text) = match done {
                Some(missive::batch::Done {
                    outcome: missive::batch::Outcome::Rendered { json, warnings },
                    ..
                }) => {
                    if !warnings.is_empty() {
                        warn(py, warnings)?;
                    }
                    let body = String::from_utf8(json).expect("rendered JSON is UTF-8");
                    results.push(PyString::new(py, &body).into_any().unbind());
                    continue;
                }
                Some(missive::batch::Done {
                    record,
                    outcome: missive::batch::Outcome::Rejected { diagnostics },
                    ..
                }) => (diagnostics, Some(record.text)),
                // A blank record is not a record to the batch core: it comes back as nothing.
                None => match unreadable[i].take() {
                    Some(why) => (
                        vec![Diagnostic::error(
                            Code::InvalidJson,
                            format!("the record cannot be read as JSON: {why}"),
                        )
                        .help("give each record as a dict of JSON values (dict, list, str, int, float, bool, None), or as one JSON document")],
                        None,
                    ),
                    None => (
                        vec![Diagnostic::error(Code::InvalidJson, "the record is blank")
                            .help("give each record as a dict, or as one JSON document")],
                        None,
                    ),
                },
            };
            let data = text
                .filter(|_| !from_dict[i])
                .map(|t| SourceFile::new(format!("<records[{i}]>"), t));
            let err = self.sources(data).error::<RenderError>(py, diagnostics);
            let value = err.into_value(py);
            value.bind(py).setattr("index", i)?;
            results.push(value.into_any());
        }
        Ok(results)
    }

    /// The JSON Schema of the template's input, as a dict.
    fn input_schema(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let text = missive::input_schema::of_template(&self.template).to_pretty_json();
        Ok(py.import("json")?.call_method1("loads", (text,))?.unbind())
    }

    /// The template's name, as given to `compile`.
    #[getter]
    fn name(&self) -> String {
        self.source.name.clone()
    }

    /// The template's warnings (it has no errors, or it would not have compiled).
    #[getter]
    fn warnings(&self) -> Vec<PyDiagnostic> {
        let sources = self.sources(None);
        self.warnings.iter().map(|d| sources.python(d)).collect()
    }

    fn __repr__(&self) -> String {
        format!("<Template {}>", self.source.name)
    }
}

/// Compiles a template's source against a profile (`iadvize`, `messenger`, or the path of a
/// TOML profile file); raises `CompileError` with every diagnostic when it has errors. `parts`
/// is the folder of shared parts its `use`s bring in (`templates/parts`).
#[pyfunction]
#[pyo3(signature = (source, *, profile = std::path::PathBuf::from("iadvize"), name = "template.missive", parts = None))]
fn compile(
    py: Python<'_>,
    source: &str,
    profile: std::path::PathBuf,
    name: &str,
    parts: Option<std::path::PathBuf>,
) -> PyResult<PyTemplate> {
    let profile = Profile::resolve(&profile.to_string_lossy()).map_err(PyValueError::new_err)?;
    let options = missive::Options {
        profile,
        file_stem: Path::new(name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned()),
        parts: match parts {
            Some(dir) => Arc::new(
                missive::check::parts::Catalogue::read_dir(&dir)
                    .map_err(|e| PyValueError::new_err(format!("{}: {e}", dir.display())))?,
            ),
            None => Arc::default(),
        },
    };
    let source = Arc::new(SourceFile::new(name, source));
    let compiled = py.detach(|| missive::compile(&source.text, &options));
    match compiled.template {
        Some(template) => Ok(PyTemplate {
            template,
            source,
            parts: compiled.parts,
            warnings: compiled.diagnostics,
        }),
        None => {
            let sources = Sources {
                template: &source,
                data: None,
                parts: &compiled.parts,
            };
            Err(sources.error::<CompileError>(py, compiled.diagnostics))
        }
    }
}

#[pymodule]
fn missive_templates(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_function(wrap_pyfunction!(compile, m)?)?;
    m.add_class::<PyTemplate>()?;
    m.add_class::<PyDiagnostic>()?;
    m.add("MissiveError", py.get_type::<MissiveError>())?;
    m.add("CompileError", py.get_type::<CompileError>())?;
    m.add("RenderError", py.get_type::<RenderError>())?;
    m.add("MissiveWarning", py.get_type::<MissiveWarning>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    // The stubs' `Data` alias exists at run time too, for annotations that are evaluated.
    let typing = py.import("typing")?;
    let mapping = py
        .import("collections.abc")?
        .getattr("Mapping")?
        .get_item((py.get_type::<PyString>(), typing.getattr("Any")?))?;
    let data = typing.getattr("Union")?.get_item((
        mapping,
        py.get_type::<PyString>(),
        py.get_type::<PyBytes>(),
    ))?;
    m.add("Data", data)?;
    Ok(())
}

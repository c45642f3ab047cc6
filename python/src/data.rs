//! Python data -> JSON text: a dict (and the lists, strings, numbers, booleans and `None` in it)
//! written out as the JSON document that missive's data checks and render read, walking the
//! Python objects directly (no `json.dumps`, no intermediate value).

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

/// Deeper data is refused, as missive's JSON reader refuses it (and a list that contains
/// itself ends here instead of exhausting the stack).
const MAX_DEPTH: usize = 128;

/// Why a value cannot be written, with the path to it (built while unwinding).
struct Bad {
    /// Path segments from the value outwards.
    path: Vec<Segment>,
    kind: BadKind,
}

enum Segment {
    Key(String),
    Index(usize),
}

enum BadKind {
    /// Not a JSON type: the Python type's name.
    Type(String),
    /// A dict key that is not a string: its type's name.
    Key(String),
    /// A float that JSON cannot hold.
    NotFinite(f64),
    TooDeep,
    /// Raised by Python while reading the value.
    Python(PyErr),
}

/// Writes `data` as compact JSON into `out`. A value that JSON cannot hold raises a
/// `TypeError` or `ValueError` naming its data path (`products[2].price`).
pub(crate) fn write_json(data: &Bound<'_, PyAny>, out: &mut Vec<u8>) -> PyResult<()> {
    write(data, out, 0).map_err(|bad| {
        let mut path = String::new();
        for s in bad.path.iter().rev() {
            match s {
                Segment::Key(k) if path.is_empty() => path.push_str(k),
                Segment::Key(k) => {
                    path.push('.');
                    path.push_str(k);
                }
                Segment::Index(i) => path.push_str(&format!("[{i}]")),
            }
        }
        let at = if path.is_empty() {
            "the data".to_string()
        } else {
            format!("`{path}`")
        };
        match bad.kind {
            BadKind::Type(t) => PyTypeError::new_err(format!(
                "{at} is a `{t}`, which is not JSON: give a dict, list, str, int, float, bool or None"
            )),
            BadKind::Key(t) => PyTypeError::new_err(format!(
                "{at} has a key of type `{t}`: the keys of a JSON object are strings"
            )),
            BadKind::NotFinite(x) => PyValueError::new_err(format!(
                "{at} is {x}, which is not a JSON number"
            )),
            BadKind::TooDeep => PyValueError::new_err(format!(
                "{at} is nested deeper than {MAX_DEPTH} levels (or contains itself)"
            )),
            BadKind::Python(e) => e,
        }
    })
}

fn bad(kind: BadKind) -> Bad {
    Bad {
        path: Vec::new(),
        kind,
    }
}

fn python(e: PyErr) -> Bad {
    bad(BadKind::Python(e))
}

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type()
        .name()
        .map_or_else(|_| "?".to_string(), |n| n.to_string())
}

fn string(s: &Bound<'_, PyString>, out: &mut Vec<u8>) -> Result<(), Bad> {
    let text = s.to_str().map_err(python)?;
    serde_json::to_writer(&mut *out, text).map_err(|e| python(PyValueError::new_err(e.to_string())))
}

fn write(v: &Bound<'_, PyAny>, out: &mut Vec<u8>, depth: usize) -> Result<(), Bad> {
    if depth > MAX_DEPTH {
        return Err(bad(BadKind::TooDeep));
    }
    if let Ok(s) = v.cast_exact::<PyString>() {
        return string(s, out);
    }
    if let Ok(d) = v.cast::<PyDict>() {
        out.push(b'{');
        for (i, (k, item)) in d.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let Ok(key) = k.cast::<PyString>() else {
                return Err(bad(BadKind::Key(type_name(&k))));
            };
            string(key, out)?;
            out.push(b':');
            write(&item, out, depth + 1).map_err(|mut b| {
                b.path
                    .push(Segment::Key(key.to_string_lossy().into_owned()));
                b
            })?;
        }
        out.push(b'}');
        return Ok(());
    }
    if let Ok(l) = v.cast::<PyList>() {
        return array(l.iter(), out, depth);
    }
    if v.is_none() {
        out.extend_from_slice(b"null");
        return Ok(());
    }
    if let Ok(b) = v.cast::<PyBool>() {
        out.extend_from_slice(if b.is_true() { b"true" } else { b"false" });
        return Ok(());
    }
    if let Ok(i) = v.cast::<PyInt>() {
        match i.extract::<i64>() {
            Ok(n) => out.extend_from_slice(n.to_string().as_bytes()),
            // Beyond 64 bits: its digits, as written (the number rule then judges it).
            Err(_) => out.extend_from_slice(
                i.str()
                    .map_err(python)?
                    .to_str()
                    .map_err(python)?
                    .as_bytes(),
            ),
        }
        return Ok(());
    }
    if let Ok(f) = v.cast::<PyFloat>() {
        let x = f.value();
        if !x.is_finite() {
            return Err(bad(BadKind::NotFinite(x)));
        }
        serde_json::to_writer(&mut *out, &x)
            .map_err(|e| python(PyValueError::new_err(e.to_string())))?;
        return Ok(());
    }
    if let Ok(s) = v.cast::<PyString>() {
        return string(s, out); // a str subclass (an enum.StrEnum member)
    }
    if let Ok(t) = v.cast::<PyTuple>() {
        return array(t.iter(), out, depth);
    }
    Err(bad(BadKind::Type(type_name(v))))
}

/// A list or a tuple, as a JSON array; an item's problem gets its index in the path.
fn array<'py>(
    items: impl Iterator<Item = Bound<'py, PyAny>>,
    out: &mut Vec<u8>,
    depth: usize,
) -> Result<(), Bad> {
    out.push(b'[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(&item, out, depth + 1).map_err(|mut b| {
            b.path.push(Segment::Index(i));
            b
        })?;
    }
    out.push(b']');
    Ok(())
}

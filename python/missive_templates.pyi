"""missive: check and render Facebook Messenger notification templates in-process.

    import missive_templates as missive
    template = missive.compile(source, profile="iadvize", name="back_in_stock.missive")
    body = template.render({"session_id": "k45", "product": {...}})   # a JSON string
"""

import os
from collections.abc import Iterable, Mapping
from typing import Any, Literal, Union

__version__: str

Data = Union[Mapping[str, Any], str, bytes]
"""A record: a dict, or a JSON document as `str` or `bytes`."""

class Diagnostic:
    """One diagnostic, as `missive check --format json` gives it."""

    code: str
    """The stable code, such as `M2001` (`missive explain M2001`)."""
    severity: Literal["error", "warning"]
    message: str
    file: str | None
    """The template's name, `<data>` for a JSON string, `<records[i]>` for the i-th record (from
    0, as `RenderError.index`) of `render_many`, or the path of a shared part's file (in
    `parts`) for a problem in a text the part brings in (the human `report` also shows the
    `use` in the template); `None` for a diagnostic without a position. A
    dict has no lines: its problems are located at the template's declaration, and the message
    names the data path."""
    line: int | None
    """1-based."""
    column: int | None
    """1-based, in Unicode scalar values."""
    end_line: int | None
    end_column: int | None
    """Exclusive."""
    help: str | None
    notes: list[str]

class MissiveError(Exception):
    """A template or its data has errors. `str(error)` is the human report."""

    diagnostics: list[Diagnostic]
    """Every diagnostic, errors and warnings."""
    report: str
    """The human report, with the source snippets (no colour)."""

class CompileError(MissiveError):
    """The template does not compile."""

class RenderError(MissiveError):
    """The data does not pass the template's checks, or the rendered message breaks a limit."""

    index: int | None
    """In a `render_many` result: the record's position in the input, from 0; `None` when
    raised by `render`."""

class MissiveWarning(UserWarning):
    """A warning from rendering (an unknown key in the data, a plain-http image...)."""

class Template:
    """A compiled template: render it many times, from any thread."""

    @property
    def name(self) -> str: ...
    @property
    def warnings(self) -> list[Diagnostic]:
        """The template's own warnings (it has no errors, or it would not have compiled)."""
    def render(self, data: Data) -> str:
        """The message body for `data`, as a JSON string. Raises `RenderError` with the same
        checks as `missive render`; a dict's problems name the data path. Warnings are issued
        as `MissiveWarning`. The GIL is released while Rust checks and renders."""
    def render_many(self, records: Iterable[Data], *, jobs: int = 0) -> list[str | RenderError]:
        """Renders every record with the batch core on `jobs` threads (0: one per core).
        One item per record, in order: the body as a JSON string, or for a rejected record
        its `RenderError` (returned, not raised), whose `index` is the record's position.
        Nothing is dropped: `len(result) == len(records)`; a record that cannot be read as JSON
        (a dict holding a `set`, say) is a `RenderError` in its place, not an exception. The rendered records' warnings are
        issued as `MissiveWarning`, as `render` issues them."""
    def input_schema(self) -> dict[str, Any]:
        """The JSON Schema of the template's input."""

def compile(
    source: str,
    *,
    profile: str | os.PathLike[str] = "iadvize",
    name: str = "template.missive",
    parts: str | os.PathLike[str] | None = None,
) -> Template:
    """Compiles a template's source against a profile: `iadvize`, `messenger`, or the path of
    a TOML profile file. `name` is the file name reports show (its stem should match the
    `notification` name). `parts` is the folder of shared parts its `use`s bring in
    (`templates/parts`). Raises `CompileError` with every diagnostic when it has errors."""


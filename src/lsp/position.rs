//! Positions as the Language Server Protocol counts them: 0-based lines and UTF-16 code units
//! within the line, converted to and from the byte offsets that spans hold.

use lsp_types::{Position, Range};

use crate::span::Span;

/// The start of every line of a text, for conversions in both directions.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        // Lines end at `\n`, `\r\n` and a lone `\r`, as the protocol says (and as every report
        // counts them).
        LineIndex {
            line_starts: crate::span::line_starts(text),
        }
    }

    /// The LSP position of a byte offset (clamped to the text and to a char boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let character = text[start..offset].encode_utf16().count();
        Position::new(line as u32, character as u32)
    }

    /// The byte offset of an LSP position. A line past the end is the end of the text; a
    /// character past the end of its line is the end of the line (the protocol says so); a
    /// character inside a surrogate pair is the start of that character.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let Some(&start) = self.line_starts.get(position.line as usize) else {
            return text.len();
        };
        let end = self
            .line_starts
            .get(position.line as usize + 1)
            .map_or(text.len(), |&next| next - 1);
        let line = &text[start..end];
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut units = 0;
        for (i, c) in line.char_indices() {
            let next = units + c.len_utf16();
            if next > position.character as usize {
                return start + i;
            }
            units = next;
        }
        start + line.len()
    }

    pub fn range(&self, text: &str, span: Span) -> Range {
        Range::new(
            self.position(text, span.start as usize),
            self.position(text, span.end as usize),
        )
    }

    /// The byte span of an LSP range (its ends in order).
    pub fn span(&self, text: &str, range: Range) -> Span {
        let a = self.offset(text, range.start);
        let b = self.offset(text, range.end);
        Span::new(a.min(b), a.max(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        // `é` is 2 bytes and 1 unit, `😀` is 4 bytes and 2 units.
        let text = "é😀x\nab\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), Position::new(0, 0));
        assert_eq!(idx.position(text, 2), Position::new(0, 1));
        assert_eq!(idx.position(text, 6), Position::new(0, 3));
        assert_eq!(idx.position(text, 7), Position::new(0, 4));
        assert_eq!(idx.position(text, 8), Position::new(1, 0));
        assert_eq!(idx.position(text, 10), Position::new(1, 2));
        assert_eq!(idx.position(text, 11), Position::new(2, 0));
        // Past the end, or inside a character: clamped.
        assert_eq!(idx.position(text, 99), Position::new(2, 0));
        assert_eq!(idx.position(text, 3), Position::new(0, 1));
    }

    #[test]
    fn offsets_round_trip_and_clamp() {
        let text = "é😀x\r\nab";
        let idx = LineIndex::new(text);
        for offset in [0, 2, 6, 7, 9, 10, 11] {
            assert_eq!(idx.offset(text, idx.position(text, offset)), offset);
        }
        // Inside the surrogate pair: the start of the emoji.
        assert_eq!(idx.offset(text, Position::new(0, 2)), 2);
        // Past the end of a line: its end, before `\r\n`.
        assert_eq!(idx.offset(text, Position::new(0, 40)), 7);
        // Past the last line: the end of the text.
        assert_eq!(idx.offset(text, Position::new(5, 0)), text.len());
    }

    #[test]
    fn agrees_with_the_source_files_utf16_positions() {
        let text = "notification x\ntext \"Grüße 😀 {{ name }}\"\n";
        let file = crate::span::SourceFile::new("t", text);
        let idx = LineIndex::new(text);
        for (offset, _) in text.char_indices() {
            let (line, col) = file.utf16_position(offset);
            assert_eq!(
                idx.position(text, offset),
                Position::new(line as u32, col as u32)
            );
        }
    }
}

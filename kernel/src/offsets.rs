//! Cursor positions: Jupyter counts Unicode code points, Rust strings index bytes.
//!
//! Since protocol 5.2, `cursor_pos` in `complete_request`/`inspect_request` and
//! `cursor_start`/`cursor_end` in `complete_reply` count code points. These two conversions
//! are the only place the kernel translates between the two; both clamp out-of-range input
//! instead of failing, because the numbers come from the network.

/// The byte offset of code point `code_points` in `text` (clamped to `text.len()`).
pub fn byte_offset(text: &str, code_points: usize) -> usize {
    text.char_indices()
        .nth(code_points)
        .map_or(text.len(), |(byte, _)| byte)
}

/// The number of code points that start before byte offset `byte` in `text`. A `byte` past
/// the end is clamped; one inside a multi-byte character counts that character.
pub fn code_point_offset(text: &str, byte: usize) -> usize {
    text.char_indices().take_while(|(i, _)| *i < byte).count()
}

#[cfg(test)]
mod tests {
    use super::{byte_offset, code_point_offset};

    #[test]
    fn ascii_offsets_are_identical() {
        assert_eq!(byte_offset("abc", 2), 2);
        assert_eq!(code_point_offset("abc", 2), 2);
    }

    #[test]
    fn multi_byte_characters_count_once() {
        let text = "é€😀x";
        assert_eq!(byte_offset(text, 1), 2);
        assert_eq!(byte_offset(text, 2), 5);
        assert_eq!(byte_offset(text, 3), 9);
        assert_eq!(code_point_offset(text, 9), 3);
        assert_eq!(code_point_offset(text, text.len()), 4);
    }

    #[test]
    fn out_of_range_input_is_clamped() {
        assert_eq!(byte_offset("é", 7), 2);
        assert_eq!(code_point_offset("é", 99), 1);
        assert_eq!(code_point_offset("é", 1), 1);
    }
}

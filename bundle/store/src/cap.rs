//! Capping what a member stores: a text field never grows past its limit, whatever the platform or a remote
//! server sent.

/// What a capped text ends with, so a reader sees it was cut.
pub const ELLIPSIS: char = '…';

/// `text` unchanged when it fits in `max_bytes`, else its longest prefix that fits together with [`ELLIPSIS`],
/// cut at a character boundary.
pub fn truncate(text: &str, max_bytes: usize) -> String {
    if text.len() <= max_bytes {
        return text.to_owned();
    }
    let mut end = max_bytes.saturating_sub(ELLIPSIS.len_utf8());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut capped = text[..end].to_owned();
    capped.push(ELLIPSIS);
    capped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_a_character_boundary_within_the_limit() {
        let check = |text: &str, max: usize, expected: &str| {
            let capped = truncate(text, max);
            assert_eq!(capped, expected, "{text:?} capped at {max}");
            assert!(capped.len() <= max.max(ELLIPSIS.len_utf8()), "{capped:?} is longer than {max}");
        };
        check("short", 10, "short");
        check("exactly10!", 10, "exactly10!");
        check("abcdefghijkl", 10, "abcdefg…");
        check("ééééé", 8, "éé…");
        check("ééééé", 9, "ééé…");
        check("abc", 0, "…");
    }
}

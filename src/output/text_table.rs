//! Tables printed on a terminal: columns padded to their widest cell.

/// `rows` (the first being the header) as aligned text: the first `left`
/// columns flush left, the others flush right, two spaces between columns
/// and no trailing spaces.
pub fn render(rows: &[Vec<String>], left: usize) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().filter_map(|r| r.get(c)).map(|v| v.chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, value) in row.iter().enumerate() {
            if c > 0 {
                line.push_str("  ");
            }
            let w = widths[c];
            if c < left {
                line.push_str(&format!("{value:<w$}"));
            } else {
                line.push_str(&format!("{value:>w$}"));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn pads_left_then_right() {
        let rows = vec![
            vec!["metric".to_string(), "a".into(), "bb".into()],
            vec!["x".to_string(), "10".into(), "1".into()],
        ];
        assert_eq!(render(&rows, 1), "metric   a  bb\nx       10   1\n");
    }
}

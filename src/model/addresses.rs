//! Addresses as Exchange writes them in logs.

/// Encodes `text` the way IMCEA addresses do: every character that is not
/// a letter, a digit, `-` or `=` becomes `+XX` (its UTF-8 bytes in hex).
pub fn imcea_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '=' {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("+{b:02X}"));
            }
        }
    }
    out
}

/// The IMCEA address of an SMS recipient: `MOBILE:+10008675309` becomes
/// `IMCEAMOBILE-+2B10008675309@domain`.
pub fn sms_recipient(phone: &str, domain: &str) -> String {
    format!("IMCEAMOBILE-{}@{domain}", imcea_encode(phone))
}

/// A mailbox's primary SMTP address.
pub fn smtp_address(alias: &str, domain: &str) -> String {
    format!("{alias}@{domain}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_recipient() {
        assert_eq!(
            sms_recipient("+10008675309", "domain.com"),
            "IMCEAMOBILE-+2B10008675309@domain.com"
        );
        assert_eq!(imcea_encode("a b=c"), "a+20b=c");
        assert_eq!(imcea_encode("é"), "+C3+A9");
    }
}

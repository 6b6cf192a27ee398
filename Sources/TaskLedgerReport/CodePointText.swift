extension Unicode.Scalar {
    /// `⟨U+FFFE⟩`: how report.html and junit.xml show a character their format cannot carry or
    /// would not show, so that a reader sees it was there (at least four uppercase hex digits).
    var codePointText: String {
        let digits = String(value, radix: 16, uppercase: true)
        return "⟨U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits + "⟩"
    }
}

/// UTF-8 byte order, the order of SPEC §7 ("bytewise") and of SQLite's BINARY collation.
package enum Bytewise {
    package static func less(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}

extension String {
    /// `self` with `pad` in front up to `width` characters (`7` → `07`).
    package func leftPadded(_ width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

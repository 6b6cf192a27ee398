/// The text of `report.html`, built in one `String` so that rendering stays linear in the
/// ledger's size: every part appends to it, none builds a string of its own to concatenate.
package struct HTMLText {
    /// The page so far.
    package private(set) var text = ""

    /// `capacity`: a guess of the page's size in bytes, so that the buffer grows rarely.
    package init(capacity: Int) {
        text.reserveCapacity(capacity)
    }

    /// Markup written by the page itself: never data.
    package mutating func raw(_ markup: String) {
        text += markup
    }

    /// Data as text or as an attribute value (always written in double quotes): `<` `>` `&`
    /// `"` `'` become entities, and characters that would be invisible or make the page
    /// invalid are shown visibly — C0 controls and DEL as their Control Pictures (`␊` for a
    /// line feed), C1 controls and Unicode noncharacters (U+FFFE, U+FDD0…) as `⟨U+FFFE⟩`.
    package mutating func escaped(_ data: String) {
        for scalar in data.unicodeScalars {
            switch scalar {
            case "<": text += "&lt;"
            case ">": text += "&gt;"
            case "&": text += "&amp;"
            case "\"": text += "&quot;"
            case "'": text += "&#39;"
            case "\u{0}"..."\u{1F}":
                text.unicodeScalars.append(Unicode.Scalar(0x2400 + scalar.value)!)
            case "\u{7F}":
                text += "\u{2421}"
            default:
                if HTMLText.isShownAsCode(scalar) {
                    text += scalar.codePointText
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
    }

    /// C1 controls and noncharacters: the HTML parser reports them as errors, and they render
    /// as nothing or as a box, so they are written as their code point.
    private static func isShownAsCode(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return (0x80...0x9F).contains(value) || (0xFDD0...0xFDEF).contains(value) || value & 0xFFFE == 0xFFFE
    }
}

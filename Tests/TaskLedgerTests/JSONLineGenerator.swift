@testable import TaskLedger
@testable import TaskLedgerCore
@testable import TaskLedgerDecoding
@testable import TaskLedgerImport
@testable import TaskLedgerInput
@testable import TaskLedgerPostgres
@testable import TaskLedgerProfiles
@testable import TaskLedgerReport
@testable import TaskLedgerSQLite
@testable import TaskLedgerTestData

/// Seeded random JSON object lines for differential tests: varied keys, escapes, non-ASCII text,
/// number forms, nesting and whitespace, always valid RFC 8259.
struct JSONLineGenerator {
    /// The generator the stream generator uses too: the same seed gives the same lines everywhere.
    private var random: SplitMix64

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    mutating func next() -> UInt64 { random.next() }

    mutating func next(below bound: Int) -> Int {
        Int(next() % UInt64(max(bound, 1)))
    }

    private mutating func pick<T>(_ choices: [T]) -> T {
        choices[next(below: choices.count)]
    }

    /// One object line.
    mutating func line() -> [UInt8] {
        Array((space() + object(depth: 0) + space()).utf8)
    }

    private mutating func space() -> String {
        next(below: 4) == 0 ? pick([" ", "\t", "  ", "\n", "\r\n "]) : ""
    }

    private mutating func object(depth: Int) -> String {
        let count = next(below: depth == 0 ? 9 : 4)
        let members = (0..<count).map { _ in
            space() + string(key: true) + space() + ":" + space() + value(depth: depth) + space()
        }
        return "{" + members.joined(separator: ",") + space() + "}"
    }

    private mutating func value(depth: Int) -> String {
        switch next(below: depth < 3 ? 8 : 6) {
        case 0, 1: string(key: false)
        case 2, 3: number()
        case 4: pick(["true", "false"])
        case 5: "null"
        case 6: object(depth: depth + 1)
        default:
            "[" + (0..<next(below: 4)).map { _ in space() + value(depth: depth + 1) }.joined(separator: ",") + "]"
        }
    }

    private mutating func string(key: Bool) -> String {
        let pieces = [
            "a", "task", "ts", "state", "id", "x", " ", "é", "€", "😀", "日本", "\u{7F}", "\\\"", "\\\\",
            "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0000", "\\u001F", "\\u00e9", "\\u20AC",
            "\\ud83d\\ude00", "\\uFFFF", "\\u0041",
        ]
        let count = next(below: key ? 3 : 6)
        return "\"" + (0..<count).map { _ in pick(pieces) }.joined() + "\""
    }

    private mutating func number() -> String {
        var text = next(below: 3) == 0 ? "-" : ""
        text += next(below: 4) == 0 ? "0" : String(1 + next(below: 9)) + digits(next(below: 13))
        if next(below: 3) == 0 { text += "." + digits(1 + next(below: 6)) }
        if next(below: 4) == 0 {
            text += pick(["e", "E"]) + pick(["", "+", "-"]) + String(next(below: 10))
        }
        return text
    }

    private mutating func digits(_ count: Int) -> String {
        String((0..<count).map { _ in Character(String(next(below: 10))) })
    }
}
